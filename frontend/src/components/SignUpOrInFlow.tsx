import { Descope } from '@descope/react-sdk';

/**
 * Descope's hosted "sign-up-or-in" flow. On success the SDK stores the tokens
 * and updates the session before `onSignedIn` runs.
 */
export default function SignUpOrInFlow({ onSignedIn }: { onSignedIn: () => void }) {
  return (
    <div className="descope-flow">
      <Descope
        flowId="sign-up-or-in"
        theme="light"
        onSuccess={onSignedIn}
        onError={(event: CustomEvent) => console.error('Descope flow error', event.detail)}
      />
    </div>
  );
}
