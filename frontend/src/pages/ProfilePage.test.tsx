import { screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { installFakeBackend, USERS, type FakeBackend } from '../test/fakeBackend';
import { renderApp } from '../test/renderApp';

let backend: FakeBackend;

beforeEach(() => {
  backend = installFakeBackend();
});

describe('Profile page', () => {
  it('greets the user and shows the secret message and roles from GET /get_roles', async () => {
    backend.signInBeforeLoad(USERS.teacher);
    renderApp('/profile');

    expect(
      await screen.findByRole('heading', { level: 1, name: 'Hello Tess Teacher 👋' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'My Private Component' })).toBeInTheDocument();
    expect(await screen.findByText('You are now a trained Descope user!')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Your Role(s):' })).toBeInTheDocument();
    const roles = screen.getByRole('list', { name: 'Your Role(s):' });
    expect(within(roles).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'teacher',
    ]);
    expect(screen.queryByText('No role found!')).not.toBeInTheDocument();
  });
});
