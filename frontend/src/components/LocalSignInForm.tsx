import { useDescope } from '@descope/react-sdk';
import { useId, useState, type FormEvent } from 'react';
import { DEMO_PASSWORD, DEMO_USERS, type DemoUser } from '../demoUsers';

/**
 * Sign-in for local development against the Descope stand-in. It calls the
 * real SDK's password sign-in, so tokens and session state are handled exactly
 * as in production; only this form replaces the hosted flow.
 */
export default function LocalSignInForm({ onSignedIn }: { onSignedIn: () => void }) {
  const sdk = useDescope();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const errorId = useId();

  const fill = (user: DemoUser) => {
    setEmail(user.email);
    setPassword(DEMO_PASSWORD);
    setError(null);
  };

  const signIn = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      const response = await sdk.password.signIn(email.trim(), password);
      if (response.ok) {
        onSignedIn();
      } else {
        setError(
          response.error?.errorDescription ||
            response.error?.errorMessage ||
            'Sign-in failed. Check the email and password.',
        );
      }
    } catch {
      setError('Could not reach the sign-in service. Is the local Descope stand-in running?');
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="local-sign-in">
      <form className="form" onSubmit={signIn} aria-describedby={error ? errorId : undefined}>
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="username"
          value={email}
          onChange={setEmail}
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
        />
        {error && (
          <p id={errorId} className="form__error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={submitting}>
          {submitting ? 'Signing in…' : 'Sign in'}
        </button>
      </form>

      <section className="demo-users" aria-labelledby="demo-users-title">
        <h2 id="demo-users-title">Demo users</h2>
        <p className="muted">
          Local mode: these accounts live in the local Descope stand-in. Password for all:{' '}
          <code>{DEMO_PASSWORD}</code>
        </p>
        <ul className="demo-users__list">
          {DEMO_USERS.map((user) => (
            <li key={user.email}>
              <button
                type="button"
                className="demo-user"
                onClick={() => fill(user)}
                aria-label={`Fill in ${user.name} (${describeRoles(user.roles)})`}
              >
                <span className="demo-user__name">{user.name}</span>
                <span className="demo-user__meta">
                  {user.email} · {describeRoles(user.roles)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function describeRoles(roles: string[]): string {
  return roles.length > 0 ? roles.join(' + ') : 'no role';
}

/** A required, labelled input of the form. */
function Field({
  label,
  type,
  name,
  autoComplete,
  value,
  onChange,
}: {
  label: string;
  type: 'email' | 'password';
  name: string;
  autoComplete: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        name={name}
        autoComplete={autoComplete}
        required
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
    </div>
  );
}
