import { vi } from 'vitest';
import { STAND_IN_PROJECT_ID } from '../localStandIn';
import { DEMO_PASSWORD, DEMO_USERS, type DemoUser } from '../demoUsers';

/**
 * A fake network for component tests: Descope's auth API (the parts
 * @descope/react-sdk calls, with the shapes the local stand-in serves) and the
 * two app endpoints, installed as the global `fetch`. The real SDK runs on top
 * of it, so token storage, refresh on load and logout are the SDK's own.
 */

export const DESCOPE_BASE_URL = 'http://descope.test';

const SESSION_SECONDS = 600;

export type ApiReply = { status: number; body?: unknown } | 'network-error';
type ApiPath = '/get_roles' | '/get_role_data';

export interface RecordedRequest {
  url: URL;
  method: string;
  headers: Headers;
}

export function createFakeBackend() {
  const requests: RecordedRequest[] = [];
  const refreshTokens = new Map<string, DemoUser>();
  const sessionTokens = new Map<string, DemoUser>();
  const queued: Record<ApiPath, ApiReply[]> = { '/get_roles': [], '/get_role_data': [] };
  const unreachable = new Set<string>();
  let tokenCounter = 0;

  const mintJwt = (user: DemoUser, kind: 'DS' | 'DSR') => {
    tokenCounter += 1;
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', kid: 'test-key', typ: 'JWT' };
    const claims = {
      iss: STAND_IN_PROJECT_ID,
      sub: `U-${user.email}`,
      iat: now,
      exp: now + (kind === 'DS' ? SESSION_SECONDS : 30 * 24 * 3600),
      drn: kind,
      roles: user.roles,
      tenants: {},
      jti: String(tokenCounter),
    };
    return `${base64Url(header)}.${base64Url(claims)}.c2lnbmF0dXJl`;
  };

  const userResponse = (user: DemoUser) => ({
    userId: `U-${user.email}`,
    loginIds: [user.email],
    name: user.name,
    email: user.email,
    verifiedEmail: true,
    roleNames: user.roles,
    userTenants: [],
  });

  const jwtResponse = (user: DemoUser, refreshJwt: string) => {
    const sessionJwt = mintJwt(user, 'DS');
    sessionTokens.set(sessionJwt, user);
    const now = Math.floor(Date.now() / 1000);
    return {
      sessionJwt,
      refreshJwt,
      sessionExpiration: now + SESSION_SECONDS,
      cookieExpiration: now + 30 * 24 * 3600,
      cookieMaxAge: 30 * 24 * 3600,
      cookieDomain: '',
      cookiePath: '/',
      user: userResponse(user),
      firstSeen: false,
    };
  };

  const issueRefreshToken = (user: DemoUser) => {
    const refreshJwt = mintJwt(user, 'DSR');
    refreshTokens.set(refreshJwt, user);
    return refreshJwt;
  };

  /** The user whose refresh token the SDK sent as `Bearer <projectId>:<refreshJwt>`. */
  const refreshUser = (headers: Headers) => {
    const bearer = headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
    const [projectId, refreshJwt] = bearer.split(':');
    if (projectId !== STAND_IN_PROJECT_ID || !refreshJwt) return { refreshJwt: undefined, user: undefined };
    return { refreshJwt, user: refreshTokens.get(refreshJwt) };
  };

  const descope = async (url: URL, method: string, headers: Headers, body: string) => {
    if (method === 'POST' && url.pathname === '/v1/auth/password/signin') {
      const { loginId, password } = JSON.parse(body) as { loginId: string; password: string };
      const user = DEMO_USERS.find((candidate) => candidate.email === loginId);
      if (!user || password !== DEMO_PASSWORD) {
        return json(401, {
          errorCode: 'E062108',
          errorDescription: 'Invalid login credentials',
          errorMessage: 'The email or password is not correct',
        });
      }
      return json(200, jwtResponse(user, issueRefreshToken(user)));
    }
    if (method === 'POST' && url.pathname === '/v1/auth/try-refresh') {
      const { refreshJwt, user } = refreshUser(headers);
      if (!refreshJwt) return json(200, {});
      if (!user) return json(401, { errorCode: 'E061005', errorDescription: 'Invalid token' });
      return json(200, jwtResponse(user, refreshJwt));
    }
    if (method === 'GET' && url.pathname === '/v1/auth/me') {
      const { user } = refreshUser(headers);
      if (!user) return json(401, { errorCode: 'E061005', errorDescription: 'Invalid token' });
      return json(200, userResponse(user));
    }
    if (method === 'POST' && url.pathname === '/v1/auth/logout') {
      const { refreshJwt } = refreshUser(headers);
      if (refreshJwt) refreshTokens.delete(refreshJwt);
      return json(200, {});
    }
    return json(404, { errorCode: 'E000000', errorDescription: 'not found in the fake' });
  };

  const api = (path: ApiPath, headers: Headers) => {
    const reply = queued[path].shift();
    if (reply === 'network-error') throw new TypeError('Failed to fetch');
    if (reply) return json(reply.status, reply.body ?? {});
    const token = headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
    const user = sessionTokens.get(token);
    if (!user) return json(401, { error: '❌ invalid session token!' });
    if (path === '/get_roles') {
      return json(200, { secretMessage: 'You are now a trained Descope user!', roles: user.roles });
    }
    return json(200, {
      valid_teacher: user.roles.includes('teacher'),
      valid_student: user.roles.includes('student'),
    });
  };

  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : String(input), window.location.origin);
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers ?? request?.headers);
    const body = typeof init?.body === 'string' ? init.body : '';
    requests.push({ url, method, headers });
    if (unreachable.has(url.pathname)) throw new TypeError('Failed to fetch');

    if (url.origin === DESCOPE_BASE_URL) return descope(url, method, headers, body);
    if (url.origin === window.location.origin && isApiPath(url.pathname)) {
      return api(url.pathname, headers);
    }
    throw new TypeError(`Unexpected request in test: ${method} ${url.href}`);
  };

  return {
    fetch: vi.fn(fetchImpl),
    requests,
    /** Calls made to the app's API (not Descope). */
    apiRequests: (path?: ApiPath) =>
      requests.filter((request) =>
        path ? request.url.pathname === path : isApiPath(request.url.pathname),
      ),
    descopeRequests: (pathname: string) =>
      requests.filter(
        (request) => request.url.origin === DESCOPE_BASE_URL && request.url.pathname === pathname,
      ),
    /** Leaves the browser as the SDK does after a sign-in, so the next load restores it. */
    signInBeforeLoad(user: DemoUser) {
      const refreshJwt = issueRefreshToken(user);
      localStorage.setItem('DSR', refreshJwt);
      localStorage.setItem('DSLI', String(Math.floor(Date.now() / 1000) + SESSION_SECONDS));
      return refreshJwt;
    },
    isRefreshTokenValid: (refreshJwt: string) => refreshTokens.has(refreshJwt),
    /** The next calls to `path` get these replies, in order, before normal service resumes. */
    replyNext(path: ApiPath, ...replies: ApiReply[]) {
      queued[path].push(...replies);
    },
    sessionTokenSentLast(path: ApiPath) {
      const last = requests.filter((request) => request.url.pathname === path).at(-1);
      return last?.headers.get('authorization');
    },
    isCurrentSessionToken: (token: string) => sessionTokens.has(token),
    /** Requests to this path fail as if the network were down. */
    makeUnreachable: (pathname: string) => unreachable.add(pathname),
  };
}

export type FakeBackend = ReturnType<typeof createFakeBackend>;

export function installFakeBackend(): FakeBackend {
  const backend = createFakeBackend();
  vi.stubGlobal('fetch', backend.fetch);
  return backend;
}

function isApiPath(pathname: string): pathname is ApiPath {
  return pathname === '/get_roles' || pathname === '/get_role_data';
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function base64Url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
