import type { ConfigJsonProblem, SetupProblem } from '../config';
import { PageTitle } from '../components/PageTitle';
import { STAND_IN_PROJECT_ID } from '../localStandIn';

/** Shown instead of the app when its configuration cannot work. */
export function SetupProblemPage({ problem }: { problem: SetupProblem }) {
  return (
    <section className="card card--narrow" aria-labelledby="setup-title">
      <PageTitle>Setup needed</PageTitle>
      <h1 id="setup-title">Setup needed</h1>
      <div className="notice notice--problem" role="alert">
        <SetupProblemText problem={problem} />
      </div>
      {problem.kind === 'invalid-config-json' ? (
        <p className="muted">
          The site&apos;s <code>/config.json</code> is written when the stack deploys, from its{' '}
          <code>DescopeProjectId</code> and <code>DescopeBaseUri</code> parameters: deploy again
          with correct values.
        </p>
      ) : (
        <p className="muted">
          Set the variable in <code>frontend/.env.local</code> or the environment, then restart the
          dev server (or rebuild): Vite reads <code>VITE_*</code> variables at build time.
        </p>
      )}
    </section>
  );
}

function SetupProblemText({ problem }: { problem: SetupProblem }) {
  switch (problem.kind) {
    case 'missing-project-id':
      return (
        <p>
          <code>VITE_DESCOPE_PROJECT_ID</code> is not set. Set it to your Descope project ID (found
          in the Descope console under Project settings), or to{' '}
          <code>{STAND_IN_PROJECT_ID}</code> to use the local Descope stand-in.
        </p>
      );
    case 'local-login-without-base-url':
      return (
        <p>
          <code>VITE_DESCOPE_LOCAL_LOGIN=true</code> needs <code>VITE_DESCOPE_BASE_URL</code>{' '}
          pointing at the local Descope stand-in, for example <code>http://127.0.0.1:8787</code>.
          Without it the SDK would talk to Descope&apos;s cloud.
        </p>
      );
    case 'local-login-outside-dev-server':
      return (
        <p>
          <code>VITE_DESCOPE_LOCAL_LOGIN=true</code> works only with the dev server (
          <code>npm run dev</code> or <code>scripts/dev.sh</code>): a production build leaves the
          demo sign-in form out. Unset it for a build.
        </p>
      );
    case 'invalid-base-url':
      return (
        <p>
          <code>VITE_DESCOPE_BASE_URL</code> is <code>{problem.value}</code>, which is not an http(s)
          URL. Use a full URL such as <code>http://127.0.0.1:8787</code>, or leave it unset to use
          Descope&apos;s cloud.
        </p>
      );
    case 'invalid-config-json':
      return (
        <p>
          The site&apos;s <code>/config.json</code> cannot be used:{' '}
          <ConfigJsonProblemText problem={problem.reason} />
        </p>
      );
  }
}

function ConfigJsonProblemText({ problem }: { problem: ConfigJsonProblem }) {
  switch (problem.kind) {
    case 'not-json':
      return <>it is not valid JSON.</>;
    case 'not-a-settings-object':
      return (
        <>
          it is not of the form <code>{'{"projectId": "P…", "baseUrl": "…"}'}</code>.
        </>
      );
    case 'missing-project-id':
      return (
        <>
          it has no <code>projectId</code>.
        </>
      );
    case 'invalid-base-url':
      return (
        <>
          its <code>baseUrl</code>, <code>{problem.value}</code>, is not an http(s) URL.
        </>
      );
  }
}
