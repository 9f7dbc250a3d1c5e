import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { RouteErrorBoundary } from './RouteErrorBoundary';

function BrokenPage(): never {
  throw new Error('this page has a bug');
}

function renderRoutes(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <header>Site header</header>
      <RouteErrorBoundary>
        <Routes>
          <Route path="/" element={<h1>Home</h1>} />
          <Route path="/broken" element={<BrokenPage />} />
        </Routes>
      </RouteErrorBoundary>
    </MemoryRouter>,
  );
}

describe('a page that fails to render', () => {
  it('leaves the rest of the site in place and says so, with a way home that works', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    renderRoutes('/broken');

    expect(screen.getByText('Site header')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Something went wrong' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('This page could not be shown.');
    expect(document.title).toBe('Something went wrong · Descope Roles Demo');
    expect(logged).toHaveBeenCalledWith('A page failed to render', expect.any(Error), expect.any(String));

    await userEvent.click(screen.getByRole('link', { name: 'Go to Home' }));

    expect(screen.getByRole('heading', { level: 1, name: 'Home' })).toBeInTheDocument();
    expect(screen.queryByText('Something went wrong')).not.toBeInTheDocument();
  });

  it('does not hide pages that render', () => {
    renderRoutes('/');

    expect(screen.getByRole('heading', { level: 1, name: 'Home' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
