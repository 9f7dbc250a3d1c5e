/**
 * Build-time configuration, read once from Vite's `VITE_*` variables.
 *
 * A mistake here must show the person running the app what to set, not a blank
 * page or a silent fallback to Descope's cloud (an empty `baseUrl` means the cloud).
 */
export interface AppConfig {
  projectId: string;
  /** Descope API base URL; undefined lets the SDK use Descope's cloud. */
  baseUrl?: string;
  /** Demo sign-in form against a local Descope stand-in instead of the hosted flow. */
  localLogin: boolean;
}

export type SetupProblem =
  | { kind: 'missing-project-id' }
  | { kind: 'local-login-without-base-url' }
  | { kind: 'invalid-base-url'; value: string };

export type ConfigResult = { ok: true; config: AppConfig } | { ok: false; problem: SetupProblem };

export interface ConfigEnv {
  VITE_DESCOPE_PROJECT_ID?: string;
  VITE_DESCOPE_BASE_URL?: string;
  VITE_DESCOPE_LOCAL_LOGIN?: string;
}

export function readConfig(env: ConfigEnv): ConfigResult {
  const projectId = env.VITE_DESCOPE_PROJECT_ID?.trim() ?? '';
  const baseUrl = env.VITE_DESCOPE_BASE_URL?.trim() || undefined;
  const localLogin = env.VITE_DESCOPE_LOCAL_LOGIN?.trim().toLowerCase() === 'true';

  if (!projectId) return { ok: false, problem: { kind: 'missing-project-id' } };
  if (baseUrl !== undefined && !isHttpUrl(baseUrl)) {
    return { ok: false, problem: { kind: 'invalid-base-url', value: baseUrl } };
  }
  if (localLogin && baseUrl === undefined) {
    return { ok: false, problem: { kind: 'local-login-without-base-url' } };
  }
  return { ok: true, config: { projectId, baseUrl, localLogin } };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
