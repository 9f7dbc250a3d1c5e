import { Descope } from '@descope/react-sdk';

/**
 * Descope's hosted "sign-up-or-in" flow. On success the SDK stores the tokens
 * and updates the session, and the login page moves on to /profile by itself.
 */
export default function SignUpOrInFlow() {
  return (
    <div className="descope-flow">
      <Descope
        flowId="sign-up-or-in"
        theme="light"
        onError={(event: CustomEvent) => console.error('Descope flow error', event.detail)}
      />
    </div>
  );
}
