import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { installFakeBackend, type FakeBackend } from '../test/fakeBackend';
import { hostedFlowConfig, localModeConfig, renderApp } from '../test/renderApp';
import { BOTH, DEMO_PASSWORD, STUDENT, TEACHER } from '../demoUsers';

// Only the hosted flow component is replaced: rendering the real one would load
// Descope's web component and then its CDN. Everything else is the real SDK.
const renderedFlows = vi.hoisted(() => [] as string[]);
vi.mock('@descope/react-sdk', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@descope/react-sdk')>();
  return {
    ...actual,
    Descope: ({ flowId }: { flowId: string }) => {
      renderedFlows.push(flowId);
      return <div data-testid="descope-flow">{flowId}</div>;
    },
  };
});

let backend: FakeBackend;

beforeEach(() => {
  backend = installFakeBackend();
  renderedFlows.length = 0;
});

const currentPath = () => screen.getByTestId('current-path').textContent;
const LOGIN_TITLE = 'Login/SignUp to see the Secret Message!';

describe('Login page for a signed-in user', () => {
  it('shows "Loading..." while the session loads, then goes on to /profile', async () => {
    backend.signInBeforeLoad(TEACHER);
    renderApp('/login', localModeConfig);

    expect(screen.getByRole('status')).toHaveTextContent('Loading...');
    expect(screen.queryByRole('heading', { name: LOGIN_TITLE })).not.toBeInTheDocument();
    await waitFor(() => expect(currentPath()).toBe('/profile'));
    expect(await screen.findByRole('heading', { name: `Hello ${TEACHER.name} 👋` })).toBeInTheDocument();
  });
});

describe('Login page with a real Descope project', () => {
  it('shows the sign-up-or-in flow', async () => {
    renderApp('/login', hostedFlowConfig);

    expect(await screen.findByRole('heading', { level: 1, name: LOGIN_TITLE })).toBeInTheDocument();
    expect(await screen.findByTestId('descope-flow')).toHaveTextContent('sign-up-or-in');
    expect(screen.queryByRole('textbox', { name: 'Email' })).not.toBeInTheDocument();
  });
});

describe('Login page in local mode', () => {
  it('shows the demo sign-in form and never the hosted flow', async () => {
    renderApp('/login', localModeConfig);

    expect(await screen.findByRole('heading', { level: 1, name: LOGIN_TITLE })).toBeInTheDocument();
    // The form is its own chunk, loaded on first use, so it can follow the heading.
    expect(await screen.findByRole('textbox', { name: 'Email' })).toBeInTheDocument();
    expect(screen.getByLabelText('Password')).toHaveAttribute('type', 'password');
    expect(screen.getByRole('heading', { name: 'Demo users' })).toBeInTheDocument();
    expect(screen.queryByTestId('descope-flow')).not.toBeInTheDocument();
    expect(renderedFlows).toEqual([]);
  });

  it('fills a demo user in one click', async () => {
    renderApp('/login', localModeConfig);

    await userEvent.click(
      await screen.findByRole('button', { name: `Fill in ${BOTH.name} (teacher + student)` }),
    );

    expect(screen.getByRole('textbox', { name: 'Email' })).toHaveValue(BOTH.email);
    expect(screen.getByLabelText('Password')).toHaveValue(DEMO_PASSWORD);
  });

  it('signs in through the SDK password sign-in and lands on the profile', async () => {
    renderApp('/login', localModeConfig);

    await userEvent.type(await screen.findByRole('textbox', { name: 'Email' }), TEACHER.email);
    await userEvent.type(screen.getByLabelText('Password'), DEMO_PASSWORD);
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: `Hello ${TEACHER.name} 👋` })).toBeInTheDocument();
    expect(currentPath()).toBe('/profile');
    expect(await screen.findByText('You are now a trained Descope user!')).toBeInTheDocument();

    const [signIn] = backend.descopeRequests('/v1/auth/password/signin');
    expect(signIn!.method).toBe('POST');
    const body = JSON.parse(
      (backend.fetch.mock.calls.find(([url]) => String(url).endsWith('/v1/auth/password/signin'))![1]!
        .body as string),
    ) as Record<string, unknown>;
    expect(body).toMatchObject({ loginId: TEACHER.email, password: DEMO_PASSWORD });
    // The SDK stored the tokens itself, as it does in production.
    expect(localStorage.getItem('DS')).toBeTruthy();
    expect(localStorage.getItem('DSR')).toBeTruthy();
    expect(backend.sessionTokenSentLast('/get_roles')).toBe(`Bearer ${localStorage.getItem('DS')}`);
  });

  it('shows the reason when sign-in is refused and stays on /login', async () => {
    renderApp('/login', localModeConfig);

    await userEvent.type(await screen.findByRole('textbox', { name: 'Email' }), STUDENT.email);
    await userEvent.type(screen.getByLabelText('Password'), 'wrong-password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid login credentials');
    expect(currentPath()).toBe('/login');
    expect(localStorage.getItem('DS')).toBeNull();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled());
  });

  it('says so when the stand-in cannot be reached', async () => {
    renderApp('/login', localModeConfig);
    backend.fetch.mockRejectedValueOnce(new TypeError('Failed to fetch'));

    await userEvent.click(
      await screen.findByRole('button', { name: `Fill in ${STUDENT.name} (student)` }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not reach the sign-in service',
    );
    expect(currentPath()).toBe('/login');
  });
});
