import { useDescope } from '@descope/react-sdk';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { SESSION_REJECTED } from '../pages/sessionRejected';
import type { ApiResult } from './client';

export type ResourceState<T> =
  | { kind: 'loading' }
  | Exclude<ApiResult<T>, { kind: 'unauthorized' }>;

/**
 * Loads one API resource for a page and applies the app-wide rules:
 * a 401 means the session token is no good, so the SDK session is cleared
 * (otherwise /login would see a "signed-in" user and bounce straight back)
 * and the user goes to /login; a 503 and other failures stay on the page
 * with a retry, and the user stays signed in.
 *
 * `load` must be a stable function (a module-level one from ./client).
 */
export function useApiResource<T>(load: (signal: AbortSignal) => Promise<ApiResult<T>>) {
  const navigate = useNavigate();
  const { logout } = useDescope();
  const [state, setState] = useState<ResourceState<T>>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      async (result) => {
        if (controller.signal.aborted) return;
        if (result.kind !== 'unauthorized') {
          setState(result);
          return;
        }
        let sessionCleared = true;
        try {
          await logout();
        } catch {
          // Descope did not answer, so the SDK still holds the rejected tokens.
          sessionCleared = false;
        }
        // The user may have left the page while Descope was being told.
        if (controller.signal.aborted) return;
        navigate('/login', {
          replace: true,
          state: sessionCleared ? undefined : SESSION_REJECTED,
        });
      },
      () => {
        if (controller.signal.aborted) return;
        setState({ kind: 'failed', message: 'Something went wrong while loading this page.' });
      },
    );
    return () => controller.abort();
  }, [load, attempt, logout, navigate]);

  const retry = useCallback(() => {
    setState({ kind: 'loading' });
    setAttempt((count) => count + 1);
  }, []);

  return { state, retry };
}
