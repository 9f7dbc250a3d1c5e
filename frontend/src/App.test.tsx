import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { readConfig, readConfigJson } from './config';
import { STAND_IN_PROJECT_ID } from './localStandIn';
import { installFakeBackend, type FakeBackend } from './test/fakeBackend';
import { renderApp } from './test/renderApp';
import { recordPageTexts } from './test/textHistory';

let backend: FakeBackend;

beforeEach(() => {
  backend = installFakeBackend();
});

const currentPath = () => screen.getByTestId('current-path').textContent;

describe('signed-out visitors', () => {
  it.each([
    ['/profile', 'My Private Component'],
    ['/dashboard', 'Dashboard'],
  ])('are sent from %s to /login without seeing private content', async (path, privateText) => {
    const texts = recordPageTexts();
    renderApp(path);

    expect(screen.getByRole('status')).toHaveTextContent('Loading...');
    expect(
      await screen.findByRole('heading', { name: 'Login/SignUp to see the Secret Message!' }),
    ).toBeInTheDocument();
    expect(currentPath()).toBe('/login');
    texts.stop();

    expect(texts.everShowed(privateText)).toBe(false);
    expect(backend.apiRequests()).toHaveLength(0);
  });
});

describe('unknown addresses', () => {
  it('show a not-found page with a way home', async () => {
    renderApp('/nowhere');

    expect(screen.getByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
    expect(document.title).toBe('Page not found · Descope Roles Demo');
    await userEvent.click(screen.getByRole('link', { name: 'Go to Home' }));
    expect(currentPath()).toBe('/');
  });
});

describe('configuration problems', () => {
  it('show a setup page naming VITE_DESCOPE_PROJECT_ID when it is missing', () => {
    renderApp('/profile', readConfig({}));

    expect(screen.getByRole('heading', { level: 1, name: 'Setup needed' })).toBeInTheDocument();
    expect(document.title).toBe('Setup needed · Descope Roles Demo');
    expect(screen.getByRole('alert')).toHaveTextContent('VITE_DESCOPE_PROJECT_ID is not set');
    expect(backend.fetch).not.toHaveBeenCalled();
  });

  it('refuse local login without a stand-in URL instead of reaching Descope cloud', () => {
    renderApp('/login', readConfig({
      VITE_DESCOPE_PROJECT_ID: STAND_IN_PROJECT_ID,
      VITE_DESCOPE_LOCAL_LOGIN: 'true',
    }));

    expect(screen.getByRole('heading', { level: 1, name: 'Setup needed' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('needs VITE_DESCOPE_BASE_URL');
    expect(screen.queryByRole('textbox', { name: 'Email' })).not.toBeInTheDocument();
    expect(backend.fetch).not.toHaveBeenCalled();
  });
});

describe('a deployed site whose config.json cannot be used', () => {
  it('shows a setup page naming config.json and the stack parameters, without signing in', () => {
    renderApp(
      '/login',
      readConfigJson({ projectId: 'P2abc', baseUrl: 'auth.example.com' }),
    );

    expect(screen.getByRole('heading', { level: 1, name: 'Setup needed' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(
      "The site's /config.json cannot be used: its baseUrl, auth.example.com, is not an http(s) URL.",
    );
    expect(screen.getByText(/written when the stack deploys/)).toHaveTextContent(
      'DescopeProjectId and DescopeBaseUri parameters',
    );
    expect(screen.queryByText(/VITE_/)).not.toBeInTheDocument();
    expect(backend.fetch).not.toHaveBeenCalled();
  });
});

describe('page changes', () => {
  it('move focus to the new page content', async () => {
    renderApp('/');
    const login = await screen.findByRole('link', { name: 'Login' });
    login.focus();

    await userEvent.click(login);

    await screen.findByRole('heading', { name: 'Login/SignUp to see the Secret Message!' });
    expect(screen.getByRole('main')).toHaveFocus();
  });
});
