import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App';
import { readConfig } from './config';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html must contain an element with id "root"');

createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <App configResult={readConfig(import.meta.env)} />
    </BrowserRouter>
  </StrictMode>,
);
