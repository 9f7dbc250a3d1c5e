import type { ResourceState } from '../api/useApiResource';

type Problem = Extract<ResourceState<unknown>, { kind: 'auth-unavailable' } | { kind: 'failed' }>;

interface ApiProblemProps {
  problem: Problem;
  onRetry: () => void;
}

/** What a page shows instead of its data when the API call did not succeed. */
export function ApiProblem({ problem, onRetry }: ApiProblemProps) {
  const { title, detail } = describe(problem);
  return (
    <div className="notice notice--problem" role="alert">
      <p className="notice__title">{title}</p>
      <p>{detail}</p>
      <button type="button" className="button" onClick={onRetry}>
        Retry
      </button>
    </div>
  );
}

function describe(problem: Problem): { title: string; detail: string } {
  if (problem.kind === 'failed') return { title: 'Could not load this page', detail: problem.message };
  const seconds = problem.retryAfterSeconds;
  if (seconds === undefined) {
    return {
      title: 'Authentication service unavailable — try again',
      detail: 'You are still signed in. The server could not check your session just now.',
    };
  }
  // The API said when asking again can succeed: a short wait, not an outage.
  return {
    title: 'Your session could not be checked just now — try again in a moment',
    detail: `You are still signed in. Try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`,
  };
}
