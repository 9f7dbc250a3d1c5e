import { getSessionToken } from '@descope/react-sdk';

/**
 * The one place that talks to the API. Every call carries the Descope session
 * token; the HTTP outcome is turned into a small set of cases the pages can
 * render, so no page ever has to look at a status code.
 */

export interface RolesResponse {
  secretMessage: string;
  roles: string[];
}

export interface RoleDataResponse {
  valid_teacher: boolean;
  valid_student: boolean;
}

export type ApiResult<T> =
  | { kind: 'ok'; data: T }
  /** The API rejected the session token (401), or there is none to send. */
  | { kind: 'unauthorized' }
  /**
   * The API could not check the token right now (503); the session itself may be fine.
   * `retryAfterSeconds`: when the API said asking again can succeed (its `Retry-After`), if it did.
   */
  | { kind: 'auth-unavailable'; retryAfterSeconds?: number }
  | { kind: 'failed'; message: string };

export const fetchRoles = (signal?: AbortSignal): Promise<ApiResult<RolesResponse>> =>
  getJson('/get_roles', isRolesResponse, signal);

export const fetchRoleData = (signal?: AbortSignal): Promise<ApiResult<RoleDataResponse>> =>
  getJson('/get_role_data', isRoleDataResponse, signal);

async function getJson<T>(
  path: string,
  hasExpectedShape: (body: unknown) => body is T,
  signal?: AbortSignal,
): Promise<ApiResult<T>> {
  const token = getSessionToken();
  if (!token) return { kind: 'unauthorized' };

  let response: Response;
  try {
    response = await fetch(path, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      signal,
    });
  } catch (error) {
    // An abort means the page no longer wants the answer; let the caller drop it.
    if (signal?.aborted) throw error;
    return {
      kind: 'failed',
      message: 'Could not reach the server. Check your connection and try again.',
    };
  }

  if (response.status === 401) return { kind: 'unauthorized' };
  if (response.status === 503) return authUnavailable(response.headers.get('Retry-After'));
  if (!response.ok) {
    return { kind: 'failed', message: `The server answered with an error (HTTP ${response.status}).` };
  }

  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    if (signal?.aborted) throw error;
    return { kind: 'failed', message: 'The server sent a response that could not be read.' };
  }
  if (!hasExpectedShape(body)) {
    return { kind: 'failed', message: 'The server sent a response in an unexpected format.' };
  }
  return { kind: 'ok', data: body };
}

function authUnavailable(retryAfter: string | null): ApiResult<never> {
  // Only the delay-seconds form: the API never sends an HTTP date.
  const seconds = retryAfter?.trim();
  if (seconds === undefined || !/^\d+$/.test(seconds)) return { kind: 'auth-unavailable' };
  return { kind: 'auth-unavailable', retryAfterSeconds: Number(seconds) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRolesResponse(body: unknown): body is RolesResponse {
  return (
    isRecord(body) &&
    typeof body.secretMessage === 'string' &&
    Array.isArray(body.roles) &&
    body.roles.every((role) => typeof role === 'string')
  );
}

function isRoleDataResponse(body: unknown): body is RoleDataResponse {
  return (
    isRecord(body) &&
    typeof body.valid_teacher === 'boolean' &&
    typeof body.valid_student === 'boolean'
  );
}
