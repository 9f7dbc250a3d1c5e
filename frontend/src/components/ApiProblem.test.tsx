import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiProblem } from './ApiProblem';

describe('ApiProblem', () => {
  it('reads a 503 that says when to retry as a short wait, with the user still signed in', async () => {
    const onRetry = vi.fn();
    render(<ApiProblem problem={{ kind: 'auth-unavailable', retryAfterSeconds: 20 }} onRetry={onRetry} />);

    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('try again in a moment');
    expect(alert).toHaveTextContent('You are still signed in. Try again in 20 seconds.');
    expect(alert).not.toHaveTextContent('unavailable');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it('says "1 second", not "1 seconds"', () => {
    render(<ApiProblem problem={{ kind: 'auth-unavailable', retryAfterSeconds: 1 }} onRetry={() => {}} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Try again in 1 second.');
  });

  it('without a Retry-After, says the authentication service is unavailable', () => {
    render(<ApiProblem problem={{ kind: 'auth-unavailable' }} onRetry={() => {}} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Authentication service unavailable — try again');
    expect(screen.getByRole('alert')).toHaveTextContent('You are still signed in');
  });

  it("shows another failure's own message", () => {
    render(<ApiProblem problem={{ kind: 'failed', message: 'The server answered with an error (HTTP 502).' }} onRetry={() => {}} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Could not load this page');
    expect(screen.getByRole('alert')).toHaveTextContent('HTTP 502');
  });
});
