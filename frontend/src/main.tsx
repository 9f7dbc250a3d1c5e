import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App';
import { loadStartupConfig } from './startupConfig';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html must contain an element with id "root"');

// Named one by one: handing over `import.meta.env` whole would make the bundler inline every
// VITE_* variable of the build's environment, whatever it holds.
const buildTimeSettings = {
  VITE_DESCOPE_PROJECT_ID: import.meta.env.VITE_DESCOPE_PROJECT_ID,
  VITE_DESCOPE_BASE_URL: import.meta.env.VITE_DESCOPE_BASE_URL,
  VITE_DESCOPE_LOCAL_LOGIN: import.meta.env.VITE_DESCOPE_LOCAL_LOGIN,
};

// The AuthProvider takes its project once, so nothing renders before the settings are known.
void loadStartupConfig(buildTimeSettings).then((configResult) => {
  createRoot(root).render(
    <StrictMode>
      <BrowserRouter>
        <App configResult={configResult} />
      </BrowserRouter>
    </StrictMode>,
  );
});
