/**
 * The app's Descope settings, from one of two sources:
 * - a deployed site's `/config.json`, written at deploy time from the stack's parameters, so one
 *   build serves any stack (see `startupConfig.ts`, which decides the source);
 * - Vite's build-time `VITE_*` variables, for local runs.
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

/** A problem either source can have. */
export type ConnectionProblem =
  | { kind: 'missing-project-id' }
  | { kind: 'invalid-base-url'; value: string };

/** Why a served `/config.json` cannot be used. */
export type ConfigJsonProblem =
  | ConnectionProblem
  | { kind: 'not-json' }
  | { kind: 'not-a-settings-object' };

export type SetupProblem =
  | ConnectionProblem
  | { kind: 'local-login-without-base-url' }
  | { kind: 'local-login-outside-dev-server' }
  | { kind: 'invalid-config-json'; reason: ConfigJsonProblem };

export type ConfigResult = { ok: true; config: AppConfig } | { ok: false; problem: SetupProblem };

export interface ConfigEnv {
  VITE_DESCOPE_PROJECT_ID?: string;
  VITE_DESCOPE_BASE_URL?: string;
  VITE_DESCOPE_LOCAL_LOGIN?: string;
}

export interface ReadConfigOptions {
  /** Whether this build holds the demo sign-in form at all: only dev-server runs do. */
  localLoginAvailable?: boolean;
}

export function readConfig(
  env: ConfigEnv,
  { localLoginAvailable = import.meta.env.DEV }: ReadConfigOptions = {},
): ConfigResult {
  const config: AppConfig = {
    projectId: env.VITE_DESCOPE_PROJECT_ID?.trim() ?? '',
    baseUrl: env.VITE_DESCOPE_BASE_URL?.trim() || undefined,
    localLogin: env.VITE_DESCOPE_LOCAL_LOGIN?.trim().toLowerCase() === 'true',
  };
  const problem =
    findConnectionProblem(config) ?? findLocalLoginProblem(config, localLoginAvailable);
  return problem ? { ok: false, problem } : { ok: true, config };
}

/**
 * Reads a parsed `/config.json`: `{"projectId": "P…", "baseUrl": "https://…"}`, where an
 * empty `baseUrl` means Descope's cloud. A deployed site never offers the demo sign-in.
 */
export function readConfigJson(served: unknown): ConfigResult {
  if (!isSettingsObject(served)) return invalidConfigJson({ kind: 'not-a-settings-object' });
  const config: AppConfig = {
    projectId: served.projectId?.trim() ?? '',
    baseUrl: served.baseUrl?.trim() || undefined,
    localLogin: false,
  };
  const problem = findConnectionProblem(config);
  return problem ? invalidConfigJson(problem) : { ok: true, config };
}

export function invalidConfigJson(reason: ConfigJsonProblem): ConfigResult {
  return { ok: false, problem: { kind: 'invalid-config-json', reason } };
}

function findConnectionProblem({ projectId, baseUrl }: AppConfig): ConnectionProblem | undefined {
  if (!projectId) return { kind: 'missing-project-id' };
  if (baseUrl !== undefined && !isHttpUrl(baseUrl)) {
    return { kind: 'invalid-base-url', value: baseUrl };
  }
  return undefined;
}

function findLocalLoginProblem(
  { baseUrl, localLogin }: AppConfig,
  localLoginAvailable: boolean,
): SetupProblem | undefined {
  if (!localLogin) return undefined;
  if (!localLoginAvailable) return { kind: 'local-login-outside-dev-server' };
  // Without it the SDK would silently sign in against Descope's cloud.
  if (baseUrl === undefined) return { kind: 'local-login-without-base-url' };
  return undefined;
}

/** Absent fields are left to the rules above (a missing project ID names itself). */
function isSettingsObject(value: unknown): value is { projectId?: string; baseUrl?: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { projectId, baseUrl } = value as Record<string, unknown>;
  return isOptionalString(projectId) && isOptionalString(baseUrl);
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
