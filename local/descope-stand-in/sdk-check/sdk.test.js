// Drives the real @descope/web-js-sdk 1.52.1 (what @descope/react-sdk 3.3.1 runs on) in Node
// against the stand-in binary: sign-in, page-load refresh, me, logout, stale tokens and bad passwords, with
// the SDK's own token persistence. Node has no browser, so the few globals the SDK reads at
// start (window, localStorage, document.cookie) are provided in memory; browser.test.js covers
// the same calls cross-origin in Chromium.
//
// Run: cargo build -p descope-stand-in && npm ci && npm test
// (STAND_IN_BIN overrides the binary's path.)

import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { BOTH, PASSWORD, PROJECT_ID, STUDENT, TEACHER, startStandIn } from './stand-in.js';

class MemoryStorage {
  #items = new Map();
  get length() {
    return this.#items.size;
  }
  key(index) {
    return [...this.#items.keys()][index] ?? null;
  }
  getItem(key) {
    return this.#items.has(key) ? this.#items.get(key) : null;
  }
  setItem(key, value) {
    this.#items.set(key, String(value));
  }
  removeItem(key) {
    this.#items.delete(key);
  }
  clear() {
    this.#items.clear();
  }
}

// The SDK decides at import time whether it runs in a browser, so these come first.
globalThis.window = globalThis;
globalThis.localStorage = new MemoryStorage();
globalThis.document = { cookie: '', visibilityState: 'visible', addEventListener() {} };
globalThis.location = { protocol: 'http:', hostname: '127.0.0.1' };
const { default: createSdk } = await import('@descope/web-js-sdk');

let standIn;
let baseUrl;

before(async () => {
  standIn = await startStandIn();
  baseUrl = standIn.baseUrl;
});

after(() => standIn?.stop());

beforeEach(() => {
  localStorage.clear();
});

/** A fresh SDK as AuthProvider builds it, as on a new page load. */
function newSdk() {
  const sdk = createSdk({
    projectId: PROJECT_ID,
    baseUrl,
    persistTokens: true,
    // Refresh timers would keep the test process alive for minutes.
    autoRefresh: false,
    storeLastAuthenticatedUser: true,
  });
  const seen = { authenticated: [], users: [], sessions: [] };
  sdk.onIsAuthenticatedChange((value) => seen.authenticated.push(value));
  sdk.onUserChange((user) => seen.users.push(user));
  sdk.onSessionTokenChange((token) => seen.sessions.push(token));
  return { sdk, seen };
}

function decodePayload(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

test('password sign-in persists tokens and tells the app who signed in', async () => {
  const { sdk, seen } = newSdk();
  const response = await sdk.password.signIn(TEACHER.loginId, PASSWORD);
  assert.equal(response.ok, true, JSON.stringify(response.error));
  const { sessionJwt, refreshJwt, sessionExpiration, user } = response.data;

  assert.equal(localStorage.getItem('DS'), sessionJwt);
  assert.equal(localStorage.getItem('DSR'), refreshJwt);
  assert.equal(sdk.getSessionToken(), sessionJwt);
  assert.equal(localStorage.getItem('DSLI'), String(sessionExpiration));
  assert.equal(localStorage.getItem('dls_last_user_login_id'), TEACHER.loginId);

  assert.deepEqual(seen.authenticated, [true]);
  assert.deepEqual(seen.sessions, [sessionJwt]);
  assert.equal(seen.users.at(-1).name, TEACHER.name);
  assert.equal(user.userId, TEACHER.userId);

  assert.deepEqual(sdk.getJwtRoles(sessionJwt), ['teacher']);
  assert.deepEqual(sdk.getJwtPermissions(sessionJwt), []);
  assert.equal(sdk.isJwtExpired(sessionJwt), false);
  assert.equal(decodePayload(sessionJwt).exp, sessionExpiration);
});

test('a page load restores the session from storage, then me and logout work', async () => {
  const first = newSdk();
  const signedIn = await first.sdk.password.signIn(BOTH.loginId, PASSWORD);
  assert.equal(signedIn.ok, true);
  const refreshJwt = signedIn.data.refreshJwt;

  // What AuthProvider's fetchSession calls on mount.
  const { sdk, seen } = newSdk();
  const refreshed = await sdk.refresh(undefined, true);
  assert.equal(refreshed.ok, true, JSON.stringify(refreshed.error));
  assert.equal(refreshed.code, 200);
  assert.equal(localStorage.getItem('DS'), refreshed.data.sessionJwt);
  assert.deepEqual(sdk.getJwtRoles(refreshed.data.sessionJwt), ['teacher', 'student']);
  assert.deepEqual(seen.authenticated, [true]);

  // What useUser calls once authenticated.
  const me = await sdk.me();
  assert.equal(me.ok, true, JSON.stringify(me.error));
  assert.equal(me.data.userId, BOTH.userId);
  assert.equal(me.data.name, BOTH.name);
  assert.equal(seen.users.at(-1).email, BOTH.loginId);

  const loggedOut = await sdk.logout();
  assert.equal(loggedOut.ok, true, JSON.stringify(loggedOut.error));
  assert.equal(localStorage.getItem('DS'), null);
  assert.equal(localStorage.getItem('DSR'), null);
  assert.equal(localStorage.getItem('DSLI'), null);
  assert.equal(seen.authenticated.at(-1), false);

  // The server revoked the refresh token too, not only the browser's copy.
  const reused = await sdk.refresh(refreshJwt);
  assert.equal(reused.ok, false);
  assert.equal(reused.code, 401);
});

test('a stale refresh token in storage is cleared on page load', async () => {
  const old = newSdk();
  const signedIn = await old.sdk.password.signIn(STUDENT.loginId, PASSWORD);
  await old.sdk.logout(signedIn.data.refreshJwt);
  // As if another tab logged out while this one kept its copy.
  localStorage.setItem('DSR', signedIn.data.refreshJwt);
  localStorage.setItem('DS', signedIn.data.sessionJwt);
  localStorage.setItem('DSLI', String(signedIn.data.sessionExpiration));

  const { sdk, seen } = newSdk();
  const refreshed = await sdk.refresh(undefined, true);
  assert.equal(refreshed.ok, false);
  assert.equal(refreshed.code, 401);
  assert.equal(typeof refreshed.error.errorCode, 'string');
  assert.equal(localStorage.getItem('DSR'), null);
  assert.equal(localStorage.getItem('DS'), null);
  assert.equal(localStorage.getItem('DSLI'), null);
  assert.deepEqual(seen.authenticated, [false]);
});

test('a page load with nobody signed in stays signed out without an error', async () => {
  // A login indicator without tokens makes the SDK ask the server instead of short-circuiting.
  localStorage.setItem('DSLI', '1');
  const { sdk, seen } = newSdk();
  const refreshed = await sdk.refresh(undefined, true);
  assert.equal(refreshed.ok, true, JSON.stringify(refreshed.error));
  assert.equal(refreshed.code, 200);
  assert.deepEqual(refreshed.data, {});
  assert.equal(localStorage.getItem('DS'), null);
  assert.deepEqual(seen.authenticated, []);
});

test('a wrong password is an error the app can show, and stores nothing', async () => {
  const { sdk, seen } = newSdk();
  const response = await sdk.password.signIn(TEACHER.loginId, 'not-the-password');
  assert.equal(response.ok, false);
  assert.equal(response.code, 401);
  assert.equal(response.error.errorCode, 'E062108');
  assert.equal(typeof response.error.errorDescription, 'string');
  assert.equal(typeof response.error.errorMessage, 'string');
  assert.equal(localStorage.getItem('DS'), null);
  assert.deepEqual(seen.authenticated, []);
});
