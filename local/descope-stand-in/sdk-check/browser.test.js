// Runs the real @descope/web-js-sdk 1.52.1 (its browser build) in Chromium on a page served from
// another loopback origin than the stand-in's, as the frontend's dev server does when its
// baseUrl points at the stand-in: every call is cross-origin, credentialed and preflighted, so
// this is where CORS answers are proven, error answers included.
//
// Needs Debian's chromium at /usr/bin/chromium (or CHROMIUM_PATH).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { PASSWORD, PROJECT_ID, STUDENT, startStandIn } from './stand-in.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const require = createRequire(import.meta.url);
const SDK_BROWSER_BUILD = readFileSync(
  require.resolve('@descope/web-js-sdk').replace(/cjs[/\\]index\.cjs\.js$/, 'index.umd.js'),
);

let standIn;
let pageServer;
let browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  standIn = await startStandIn();
  pageServer = http
    .createServer((request, response) => {
      if (request.url === '/sdk.js') {
        response.setHeader('content-type', 'text/javascript');
        response.end(SDK_BROWSER_BUILD);
      } else {
        response.setHeader('content-type', 'text/html');
        response.end('<!doctype html><title>stand-in check</title><script src="/sdk.js"></script>');
      }
    })
    .listen(0, '127.0.0.1');
  await once(pageServer, 'listening');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

after(async () => {
  await browser?.close();
  pageServer?.close();
  standIn?.stop();
});

/** The whole session lifecycle through the SDK, run inside the page. */
function sessionLifecycle({ baseUrl, projectId, loginId, password }) {
  const newSdk = () =>
    // The UMD build's global is the SDK factory, configured as AuthProvider does.
    Descope({ projectId, baseUrl, persistTokens: true, autoRefresh: true });
  return (async () => {
    const out = {};
    const sdk = newSdk();
    const refused = await sdk.password.signIn(loginId, 'wrong-password');
    out.refused = { ok: refused.ok, code: refused.code, errorCode: refused.error?.errorCode };

    const signedIn = await sdk.password.signIn(loginId, password);
    out.signedIn = {
      ok: signedIn.ok,
      storedSession: localStorage.getItem('DS') === signedIn.data?.sessionJwt,
      storedRefresh: localStorage.getItem('DSR') === signedIn.data?.refreshJwt,
      name: signedIn.data?.user?.name,
    };

    const reloaded = newSdk();
    const restored = await reloaded.refresh(undefined, true);
    out.restored = { ok: restored.ok, code: restored.code, hasSession: !!restored.data?.sessionJwt };
    const me = await reloaded.me();
    out.me = { ok: me.ok, userId: me.data?.userId };

    const loggedOut = await reloaded.logout();
    out.loggedOut = { ok: loggedOut.ok, storedRefresh: localStorage.getItem('DSR') };

    // Storage still holds a token the server no longer honours (as after a logout elsewhere),
    // with the SDK's signed-in indicator that makes a page load ask the server.
    localStorage.setItem('DSR', signedIn.data.refreshJwt);
    localStorage.setItem('DSLI', String(signedIn.data.sessionExpiration));
    const stale = await newSdk().refresh(undefined, true);
    out.stale = { ok: stale.ok, code: stale.code, storedRefresh: localStorage.getItem('DSR') };
    return out;
  })();
}

for (const host of ['127.0.0.1', 'localhost']) {
  test(`the SDK signs in, restores, reads the user and logs out from http://${host}`, async () => {
    const page = await browser.newPage();
    try {
      const { port } = pageServer.address();
      await page.goto(`http://${host}:${port}/`);
      const result = await page.evaluate(sessionLifecycle, {
        baseUrl: standIn.baseUrl,
        projectId: PROJECT_ID,
        loginId: STUDENT.loginId,
        password: PASSWORD,
      });
      assert.deepEqual(result, {
        // A readable 401 body proves CORS headers on error answers.
        refused: { ok: false, code: 401, errorCode: 'E062108' },
        signedIn: { ok: true, storedSession: true, storedRefresh: true, name: STUDENT.name },
        restored: { ok: true, code: 200, hasSession: true },
        me: { ok: true, userId: STUDENT.userId },
        loggedOut: { ok: true, storedRefresh: null },
        stale: { ok: false, code: 401, storedRefresh: null },
      });
    } finally {
      await page.close();
    }
  });
}
