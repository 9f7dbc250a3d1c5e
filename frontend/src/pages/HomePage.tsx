import { useSession } from '@descope/react-sdk';
import { Link, Navigate } from 'react-router';
import { LoadingState } from '../components/LoadingState';
import { PageTitle } from '../components/PageTitle';

export function HomePage() {
  const { isAuthenticated, isSessionLoading } = useSession();

  // Until the SDK has refreshed a stored session, a signed-in visitor would see the
  // signed-out page flash before the redirect.
  if (isSessionLoading) {
    return (
      <>
        <PageTitle>Home</PageTitle>
        <LoadingState />
      </>
    );
  }
  if (isAuthenticated) return <Navigate to="/profile" replace />;

  return (
    <section className="card card--hero" aria-labelledby="home-title">
      <PageTitle>Home</PageTitle>
      <h1 id="home-title">Home</h1>
      <p className="lead">
        Sign in to read a secret message from an API that checks your Descope session, and to see
        what your roles unlock on the dashboard.
      </p>
      <Link to="/login" className="button button--primary">
        Login
      </Link>
    </section>
  );
}
