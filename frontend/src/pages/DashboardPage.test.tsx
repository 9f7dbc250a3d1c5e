import { screen, within } from '@testing-library/react';
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
const TEACHER_SECTION = ['Welcome back Teacher!', 'You have 50+ students currently 🧑‍🎓'] as const;
const STUDENT_SECTION = ['Welcome back Student!', 'Unlucky! You have homework!'] as const;

async function openDashboardAs(user: DemoUser) {
  backend.signInBeforeLoad(user);
  renderApp('/dashboard');
  await screen.findByRole('heading', { level: 1, name: 'Dashboard' });
}

function expectSection([title, body]: readonly [string, string], shown: boolean) {
  if (shown) {
    expect(screen.getByRole('heading', { level: 2, name: title })).toBeInTheDocument();
    expect(screen.getByText(body)).toBeInTheDocument();
  } else {
    expect(screen.queryByRole('heading', { name: title })).not.toBeInTheDocument();
    expect(screen.queryByText(body)).not.toBeInTheDocument();
  }
}

describe('Dashboard page', () => {
  it('shows the teacher section to a teacher', async () => {
    await openDashboardAs(TEACHER);

    await screen.findByRole('heading', { name: TEACHER_SECTION[0] });
    expect(document.title).toBe('Dashboard · Descope Roles Demo');
    expectSection(TEACHER_SECTION, true);
    expectSection(STUDENT_SECTION, false);
    expect(screen.queryByText('No role found!')).not.toBeInTheDocument();
  });

  it('shows the student section to a student', async () => {
    await openDashboardAs(STUDENT);

    await screen.findByRole('heading', { name: STUDENT_SECTION[0] });
    expectSection(STUDENT_SECTION, true);
    expectSection(TEACHER_SECTION, false);
  });

  it('shows both sections to a user with both roles', async () => {
    await openDashboardAs(BOTH);

    await screen.findByRole('heading', { name: TEACHER_SECTION[0] });
    expectSection(TEACHER_SECTION, true);
    expectSection(STUDENT_SECTION, true);
    expect(screen.queryByText('No role found!')).not.toBeInTheDocument();
  });

  it('explains that there is nothing to show to a user with neither role', async () => {
    await openDashboardAs(NO_ROLE);

    expect(await screen.findByRole('heading', { name: 'No role found!' })).toBeInTheDocument();
    expect(screen.getByText(/neither the teacher nor the student role/)).toBeInTheDocument();
    expectSection(TEACHER_SECTION, false);
    expectSection(STUDENT_SECTION, false);
  });

  it('calls GET /get_role_data with the session token', async () => {
    await openDashboardAs(STUDENT);
    await screen.findByRole('heading', { name: STUDENT_SECTION[0] });

    const [request] = backend.apiRequests('/get_role_data');
    expect(request!.method).toBe('GET');
    expect(request!.headers.get('authorization')).toBe(`Bearer ${localStorage.getItem('DS')}`);
  });

  it('links back to the profile', async () => {
    await openDashboardAs(TEACHER);

    await userEvent.click(screen.getByRole('link', { name: 'Back to Profile' }));

    expect(currentPath()).toBe('/profile');
    expect(await screen.findByRole('heading', { name: `Hello ${TEACHER.name} 👋` })).toBeInTheDocument();
  });

  it('goes to /login when the API rejects the session', async () => {
    backend.replyNext('/get_role_data', { status: 401, body: { error: '❌ invalid session token!' } });
    await openDashboardAs(TEACHER);

    expect(
      await screen.findByRole('heading', { name: 'Login/SignUp to see the Secret Message!' }),
    ).toBeInTheDocument();
    expect(currentPath()).toBe('/login');
    expect(localStorage.getItem('DSR')).toBeNull();
  });

  it('keeps the user on the dashboard through a 503 and recovers on Retry', async () => {
    backend.replyNext('/get_role_data', { status: 503 }, { status: 503 });
    await openDashboardAs(BOTH);

    let alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Authentication service unavailable — try again');
    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));

    // Still unavailable on the second try: the message comes back, still signed in.
    alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Authentication service unavailable — try again');
    expect(localStorage.getItem('DSR')).not.toBeNull();
    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));

    expect(await screen.findByRole('heading', { name: TEACHER_SECTION[0] })).toBeInTheDocument();
    expectSection(STUDENT_SECTION, true);
    expect(backend.apiRequests('/get_role_data')).toHaveLength(3);
    expect(currentPath()).toBe('/dashboard');
  });

  it('shows an error instead of guessing when the response has the wrong shape', async () => {
    backend.replyNext('/get_role_data', { status: 200, body: { valid_teacher: 'yes' } });
    await openDashboardAs(TEACHER);

    expect(await screen.findByRole('alert')).toHaveTextContent('unexpected format');
    expectSection(TEACHER_SECTION, false);
  });
});
