import { useSession, useUser } from '@descope/react-sdk';
import type { ReactNode } from 'react';
import { Navigate } from 'react-router';
import { LoadingState } from './LoadingState';

/**
 * Renders private content only once the SDK knows the user is signed in;
 * until then "Loading...", so a signed-out visitor never sees a flash of it.
 */
export function RequireSession({ children }: { children: ReactNode }) {
  const { isAuthenticated, isSessionLoading } = useSession();
  const { isUserLoading } = useUser();

  if (isSessionLoading || isUserLoading) return <LoadingState />;
  if (!isAuthenticated) return <Navigate to="/login" replace />;
  return children;
}
