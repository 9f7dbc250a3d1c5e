import { useDescope, useUser } from '@descope/react-sdk';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { fetchRoles } from '../api/client';
import { useApiResource } from '../api/useApiResource';
import { ApiProblem } from '../components/ApiProblem';
import { LoadingState } from '../components/LoadingState';
import { PageTitle } from '../components/PageTitle';
import { RoleList } from '../components/RoleList';

export function ProfilePage() {
  const navigate = useNavigate();
  const { logout } = useDescope();
  const { user } = useUser();
  const { state, retry } = useApiResource(fetchRoles);
  const [logoutFailed, setLogoutFailed] = useState(false);

  const signOut = async () => {
    setLogoutFailed(false);
    try {
      await logout();
    } catch {
      // The SDK keeps its tokens when Descope does not confirm the logout, so the user is
      // still signed in: going to /login would only bounce back here without a word.
      setLogoutFailed(true);
      return;
    }
    navigate('/login');
  };

  const name = user?.name || user?.email || user?.loginIds?.[0] || 'there';

  return (
    <section className="card" aria-labelledby="profile-title">
      <PageTitle>Profile</PageTitle>
      <h1 id="profile-title">{`Hello ${name} 👋`}</h1>

      <section className="panel" aria-labelledby="private-title">
        <h2 id="private-title">My Private Component</h2>
        {state.kind === 'loading' && <LoadingState />}
        {state.kind === 'ok' && (
          <>
            <p className="secret-message">{state.data.secretMessage}</p>
            <RoleList roles={state.data.roles} />
          </>
        )}
        {(state.kind === 'auth-unavailable' || state.kind === 'failed') && (
          <ApiProblem problem={state} onRetry={retry} />
        )}
      </section>

      {logoutFailed && (
        <p className="notice notice--problem" role="alert">
          Could not sign you out: the sign-in service did not answer. You are still signed in;
          try Logout again.
        </p>
      )}

      <div className="actions">
        <Link to="/" className="button">
          Home
        </Link>
        <Link to="/dashboard" className="button">
          Dashboard
        </Link>
        <button type="button" className="button button--danger" onClick={signOut}>
          Logout
        </button>
      </div>
    </section>
  );
}
