import { useSession, useUser } from '@descope/react-sdk';
import { Navigate, Outlet } from 'react-router';
import { LoadingState } from './LoadingState';

/**
 * The layout route of every private page: renders the page only once the SDK knows the
 * user is signed in; until then "Loading...", so a signed-out visitor never sees a flash of it.
 */
export function RequireSession() {
  const { isAuthenticated, isSessionLoading } = useSession();
  const { isUserLoading } = useUser();

  if (isSessionLoading || isUserLoading) return <LoadingState />;
  if (!isAuthenticated) return <Navigate to="/login" replace />;
  return <Outlet />;
}
