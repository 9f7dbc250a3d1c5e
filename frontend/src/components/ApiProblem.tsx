import type { ResourceState } from '../api/useApiResource';

type Problem = Extract<ResourceState<unknown>, { kind: 'auth-unavailable' } | { kind: 'failed' }>;

interface ApiProblemProps {
  problem: Problem;
  onRetry: () => void;
}

/** What a page shows instead of its data when the API call did not succeed. */
export function ApiProblem({ problem, onRetry }: ApiProblemProps) {
  const isAuthUnavailable = problem.kind === 'auth-unavailable';
  return (
    <div className="notice notice--problem" role="alert">
      <p className="notice__title">
        {isAuthUnavailable
          ? 'Authentication service unavailable — try again'
          : 'Could not load this page'}
      </p>
      <p>
        {isAuthUnavailable
          ? 'You are still signed in. The server could not check your session just now.'
          : problem.message}
      </p>
      <button type="button" className="button" onClick={onRetry}>
        Retry
      </button>
    </div>
  );
}
