import { useSession } from '@descope/react-sdk';
import { lazy, Suspense } from 'react';
import { Navigate } from 'react-router-dom';
import { LoadingState } from '../components/LoadingState';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { LocalSignInForm } from './LocalSignInForm';

// The hosted flow pulls Descope's web component (and then its CDN) in only when
// rendered; loading this module lazily keeps it out of local mode entirely.
const SignUpOrInFlow = lazy(() => import('./SignUpOrInFlow'));

export function LoginPage({ localLogin }: { localLogin: boolean }) {
  useDocumentTitle('Login');
  const { isAuthenticated, isSessionLoading } = useSession();

  if (isSessionLoading) return <LoadingState />;
  if (isAuthenticated) return <Navigate to="/profile" replace />;

  return (
    <section className="card card--narrow" aria-labelledby="login-title">
      <h1 id="login-title">Login/SignUp to see the Secret Message!</h1>
      {localLogin ? (
        <LocalSignInForm />
      ) : (
        <Suspense fallback={<LoadingState />}>
          <SignUpOrInFlow />
        </Suspense>
      )}
    </section>
  );
}
