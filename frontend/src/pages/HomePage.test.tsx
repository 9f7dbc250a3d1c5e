import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { installFakeBackend, type FakeBackend } from '../test/fakeBackend';
import { renderApp } from '../test/renderApp';
import { recordPageTexts } from '../test/textHistory';
import { STUDENT } from '../demoUsers';

let backend: FakeBackend;

beforeEach(() => {
  backend = installFakeBackend();
});

const currentPath = () => screen.getByTestId('current-path').textContent;

describe('Home page', () => {
  it('shows the title and a Login link that leads to /login', async () => {
    renderApp('/');

    expect(await screen.findByRole('heading', { level: 1, name: 'Home' })).toBeInTheDocument();
    expect(document.title).toBe('Home · Descope Roles Demo');
    await userEvent.click(screen.getByRole('link', { name: 'Login' }));

    expect(currentPath()).toBe('/login');
    expect(
      await screen.findByRole('heading', { name: 'Login/SignUp to see the Secret Message!' }),
    ).toBeInTheDocument();
    expect(document.title).toBe('Login · Descope Roles Demo');
  });

  it('sends a signed-in user on to /profile without showing the signed-out page first', async () => {
    backend.signInBeforeLoad(STUDENT);
    const texts = recordPageTexts();
    renderApp('/');

    expect(
      await screen.findByRole('heading', { level: 1, name: `Hello ${STUDENT.name} 👋` }),
    ).toBeInTheDocument();
    expect(currentPath()).toBe('/profile');
    texts.stop();
    expect(texts.everShowed('Sign in to read a secret message')).toBe(false);
  });
});
