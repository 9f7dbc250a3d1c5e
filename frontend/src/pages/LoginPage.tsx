import { useSession } from '@descope/react-sdk';
import { lazy, Suspense } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { isSessionRejected } from './sessionRejected';
import { LoadingState } from '../components/LoadingState';
import { PageTitle } from '../components/PageTitle';

// Descope's web component (and, through it, Descope's CDN) loads only when <Descope>
// renders, and local mode never renders it; the lazy import also keeps this small
// wrapper out of the main bundle.
const SignUpOrInFlow = lazy(() => import('../components/SignUpOrInFlow'));

// The demo sign-in form and its users' password exist only for the dev server. In a
// production build the condition is the literal `false`, so the bundler drops the import
// and the module with it: no chunk, not even one that is never loaded.
const LocalSignInForm = import.meta.env.DEV ? lazy(() => import('../components/LocalSignInForm')) : null;

export function LoginPage({ localLogin }: { localLogin: boolean }) {
  const { isAuthenticated, isSessionLoading } = useSession();
  const sessionRejected = isSessionRejected(useLocation().state);
  const navigate = useNavigate();
  // Explicit, because after a rejected session "already authenticated" is no signal.
  const goToProfile = () => navigate('/profile', { replace: true });

  if (isSessionLoading) {
    return (
      <>
        <PageTitle>Login</PageTitle>
        <LoadingState />
      </>
    );
  }
  if (isAuthenticated && !sessionRejected) return <Navigate to="/profile" replace />;

  return (
    <section className="card card--narrow" aria-labelledby="login-title">
      <PageTitle>Login</PageTitle>
      <h1 id="login-title">Login/SignUp to see the Secret Message!</h1>
      {sessionRejected && (
        <p className="notice notice--problem" role="alert">
          Your session was not accepted, and the sign-in service could not be reached to end it.
          Please sign in again.
        </p>
      )}
      <Suspense fallback={<LoadingState />}>
        {localLogin && LocalSignInForm ? (
          <LocalSignInForm onSignedIn={goToProfile} />
        ) : (
          <SignUpOrInFlow onSignedIn={goToProfile} />
        )}
      </Suspense>
    </section>
  );
}
