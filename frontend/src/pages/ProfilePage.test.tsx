import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { installFakeBackend, type FakeBackend } from '../test/fakeBackend';
import { renderApp } from '../test/renderApp';
import { BOTH, NO_ROLE, STUDENT, TEACHER, type DemoUser } from '../demoUsers';

let backend: FakeBackend;

beforeEach(() => {
  backend = installFakeBackend();
});

const currentPath = () => screen.getByTestId('current-path').textContent;
const SECRET = 'You are now a trained Descope user!';

async function openProfileAs(user: DemoUser) {
  const refreshToken = backend.signInBeforeLoad(user);
  const { unmount } = renderApp('/profile');
  await screen.findByRole('heading', { level: 1, name: `Hello ${user.name} 👋` });
  return { refreshToken, unmount };
}

function shownRoles() {
  const list = screen.getByRole('list', { name: 'Your Role(s):' });
  return within(list)
    .getAllByRole('listitem')
    .map((item) => item.textContent);
}

describe('Profile page', () => {
  it('greets the user and shows the secret message and roles from GET /get_roles', async () => {
    await openProfileAs(TEACHER);

    expect(screen.getByRole('heading', { name: 'My Private Component' })).toBeInTheDocument();
    expect(document.title).toBe('Profile · Descope Roles Demo');
    expect(await screen.findByText(SECRET)).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Your Role(s):' })).toBeInTheDocument();
    expect(shownRoles()).toEqual(['teacher']);
    expect(screen.queryByText('No role found!')).not.toBeInTheDocument();
  });

  it('lists every role a user holds', async () => {
    await openProfileAs(BOTH);

    await screen.findByText(SECRET);
    expect(shownRoles()).toEqual(['teacher', 'student']);
  });

  it('says "No role found!" for a user without roles', async () => {
    await openProfileAs(NO_ROLE);

    await screen.findByText(SECRET);
    expect(screen.getByText('No role found!')).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: 'Your Role(s):' })).not.toBeInTheDocument();
  });

  it('sends the current Descope session token as a Bearer token', async () => {
    await openProfileAs(STUDENT);
    await screen.findByText(SECRET);

    const sent = backend.sessionTokenSentLast('/get_roles');
    expect(sent).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const token = sent!.slice('Bearer '.length);
    expect(token).toBe(localStorage.getItem('DS'));
    expect(backend.isCurrentSessionToken(token)).toBe(true);
    // Same-origin, relative URL: CloudFront (or the dev proxy) serves the API.
    expect(backend.apiRequests('/get_roles')[0]!.url.origin).toBe(window.location.origin);
  });

  it('on a 401 clears the session and goes to /login', async () => {
    backend.replyNext('/get_roles', { status: 401, body: { error: '❌ invalid session token!' } });
    const { refreshToken } = await openProfileAs(TEACHER);

    expect(
      await screen.findByRole('heading', { name: 'Login/SignUp to see the Secret Message!' }),
    ).toBeInTheDocument();
    expect(currentPath()).toBe('/login');
    expect(screen.queryByText(SECRET)).not.toBeInTheDocument();
    expect(backend.descopeRequests('/v1/auth/logout')).toHaveLength(1);
    expect(backend.isRefreshTokenValid(refreshToken)).toBe(false);
    expect(localStorage.getItem('DS')).toBeNull();
    expect(localStorage.getItem('DSR')).toBeNull();
  });

  it('on a 401 it does not bounce back to the profile when the session cannot be cleared', async () => {
    backend.replyNext('/get_roles', { status: 401, body: { error: '❌ invalid session token!' } });
    backend.makeUnreachable('/v1/auth/logout');
    await openProfileAs(TEACHER);

    expect(await screen.findByRole('alert')).toHaveTextContent('Please sign in again');
    expect(currentPath()).toBe('/login');
    expect(screen.getByRole('textbox', { name: 'Email' })).toBeInTheDocument();
    expect(backend.apiRequests('/get_roles')).toHaveLength(1);

    // Signing in again works and leads on to the profile.
    await userEvent.click(screen.getByRole('button', { name: `Fill in ${STUDENT.name} (student)` }));
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: `Hello ${STUDENT.name} 👋` })).toBeInTheDocument();
    expect(await screen.findByText(SECRET)).toBeInTheDocument();
  });

  it('on a 503 shows a retry message, keeps the user signed in, and Retry recovers', async () => {
    backend.replyNext('/get_roles', {
      status: 503,
      body: { error: 'authentication service unavailable' },
    });
    const { refreshToken } = await openProfileAs(TEACHER);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Authentication service unavailable — try again');
    expect(alert).toHaveTextContent('You are still signed in');
    expect(currentPath()).toBe('/profile');
    expect(screen.getByRole('heading', { name: `Hello ${TEACHER.name} 👋` })).toBeInTheDocument();
    expect(backend.descopeRequests('/v1/auth/logout')).toHaveLength(0);
    expect(backend.isRefreshTokenValid(refreshToken)).toBe(true);
    expect(localStorage.getItem('DSR')).toBe(refreshToken);

    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));

    expect(await screen.findByText(SECRET)).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(shownRoles()).toEqual(['teacher']);
    expect(backend.apiRequests('/get_roles')).toHaveLength(2);
  });

  it('shows a visible error with Retry when the API cannot be reached', async () => {
    backend.replyNext('/get_roles', 'network-error');
    await openProfileAs(STUDENT);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load this page');
    expect(alert).toHaveTextContent('Could not reach the server');
    expect(currentPath()).toBe('/profile');

    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText(SECRET)).toBeInTheDocument();
  });

  it('shows a visible error for another failing status', async () => {
    backend.replyNext('/get_roles', { status: 500, body: { message: 'Internal Server Error' } });
    await openProfileAs(STUDENT);

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The server answered with an error (HTTP 500).',
    );
    expect(screen.getByRole('button', { name: 'Logout' })).toBeInTheDocument();
  });

  it('Logout signs out with Descope and goes to /login; protected pages then send you back', async () => {
    const { refreshToken, unmount } = await openProfileAs(BOTH);
    await screen.findByText(SECRET);

    await userEvent.click(screen.getByRole('button', { name: 'Logout' }));

    expect(
      await screen.findByRole('heading', { name: 'Login/SignUp to see the Secret Message!' }),
    ).toBeInTheDocument();
    expect(currentPath()).toBe('/login');
    expect(backend.descopeRequests('/v1/auth/logout')).toHaveLength(1);
    expect(backend.isRefreshTokenValid(refreshToken)).toBe(false);
    expect(localStorage.getItem('DSR')).toBeNull();

    // A fresh load of a protected page now lands on /login.
    unmount();
    renderApp('/dashboard');
    await waitFor(() => expect(currentPath()).toBe('/login'));
  });

  it('Logout that Descope does not confirm says so and keeps the user on the profile', async () => {
    const { refreshToken } = await openProfileAs(TEACHER);
    await screen.findByText(SECRET);
    backend.makeUnreachable('/v1/auth/logout');

    await userEvent.click(screen.getByRole('button', { name: 'Logout' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Could not sign you out');
    expect(currentPath()).toBe('/profile');
    expect(localStorage.getItem('DSR')).toBe(refreshToken);
    expect(backend.isRefreshTokenValid(refreshToken)).toBe(true);
  });

  it('Dashboard link opens the dashboard', async () => {
    await openProfileAs(TEACHER);

    await userEvent.click(screen.getByRole('link', { name: 'Dashboard' }));

    expect(currentPath()).toBe('/dashboard');
    expect(await screen.findByRole('heading', { name: 'Welcome back Teacher!' })).toBeInTheDocument();
  });

  it('Home link leads to Home, which sends a signed-in user back to the profile', async () => {
    await openProfileAs(TEACHER);
    const initialRoleCalls = backend.apiRequests('/get_roles').length;

    await userEvent.click(screen.getByRole('link', { name: 'Home' }));

    // Home forwards signed-in users to /profile, so the profile loads again.
    await waitFor(() =>
      expect(backend.apiRequests('/get_roles').length).toBeGreaterThan(initialRoleCalls),
    );
    expect(currentPath()).toBe('/profile');
  });
});
