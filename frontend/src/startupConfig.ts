import {
  invalidConfigJson,
  readConfig,
  readConfigJson,
  type ConfigEnv,
  type ConfigResult,
} from './config';

/** Written next to index.html at deploy time; same origin, so it needs no CORS. */
export const CONFIG_JSON_PATH = '/config.json';

/**
 * The configuration the app starts with: the deployed site's `/config.json` when it serves one,
 * otherwise the build-time `VITE_*` variables (local runs).
 *
 * "No config.json" covers a 404 or other failure status, a network error, and a page that is not
 * JSON: Vite's dev server, like the site's own fallback to index.html, may answer an unknown path
 * with the app's HTML and a 200. A config.json that is JSON but unusable is a setup problem,
 * never a reason to fall back.
 */
export async function loadStartupConfig(env: ConfigEnv): Promise<ConfigResult> {
  const served = await fetchConfigJson();
  switch (served.kind) {
    case 'absent':
      return readConfig(env);
    case 'unparseable':
      return invalidConfigJson({ kind: 'not-json' });
    case 'served':
      return readConfigJson(served.json);
  }
}

type ServedConfigJson =
  | { kind: 'absent' }
  | { kind: 'unparseable' }
  | { kind: 'served'; json: unknown };

async function fetchConfigJson(): Promise<ServedConfigJson> {
  let response: Response;
  let body: string;
  try {
    // Any deploy may change the settings; a cached copy would point the app at the old ones.
    response = await fetch(CONFIG_JSON_PATH, { cache: 'no-store' });
    if (!response.ok) return { kind: 'absent' };
    body = await response.text();
  } catch {
    return { kind: 'absent' };
  }
  try {
    return { kind: 'served', json: JSON.parse(body) as unknown };
  } catch {
    return isJsonContentType(response) ? { kind: 'unparseable' } : { kind: 'absent' };
  }
}

function isJsonContentType(response: Response): boolean {
  const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}
