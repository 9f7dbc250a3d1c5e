import type { Response } from '@playwright/test';
import { expect, expectProfile, isSiteRequest, SITE_URL, STAND_IN_URL, TEACHER, test } from './support';

// What template.yaml's SecurityHeadersPolicy must put on every response of the site, the
// app's files and the API's answers alike.
const SECURITY_HEADERS = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name, sources]),
  );
}

function expectSecurityHeaders(headers: Record<string, string>, what: string) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    expect(headers[name], `${name} on ${what}`).toBe(value);
  }
  const csp = directives(headers['content-security-policy'] ?? '');
  expect(csp.get('default-src'), `the CSP on ${what}`).toEqual(["'self'"]);
  // The stand-in stands for the stack's DescopeBaseUri, which the template adds to connect-src.
  expect(csp.get('connect-src'), `the CSP on ${what}`).toContain(new URL(STAND_IN_URL).origin);
  expect(csp.get('script-src'), `the CSP on ${what}`).not.toContain("'unsafe-inline'");
  expect(csp.get('frame-ancestors'), `the CSP on ${what}`).toEqual(["'none'"]);
}

test.describe('signed in', () => {
  test.use({ signedInAs: TEACHER });

  test("every response of the site carries the distribution's security headers", async ({ page }) => {
    const responses: Response[] = [];
    page.on('response', (response) => {
      if (isSiteRequest(response.request())) responses.push(response);
    });
    await page.goto('/');
    await expectProfile(page, TEACHER);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect(page.getByRole('heading', { name: 'Welcome back Teacher!' })).toBeVisible();

    const paths = responses.map((response) => new URL(response.url()).pathname);
    expect(paths).toEqual(
      expect.arrayContaining(['/', '/config.json', '/get_roles', '/get_role_data']),
    );
    expect(paths.some((path) => /^\/assets\/index-[\w-]+\.js$/.test(path))).toBe(true);
    for (const response of responses) {
      expectSecurityHeaders(await response.allHeaders(), new URL(response.url()).pathname);
    }
  });
});

test('the app shell, its hashed files and config.json keep the types and caching the publisher gave them', async ({
  request,
}) => {
  const shell = await request.get('/');
  expect(shell.status()).toBe(200);
  expect(shell.headers()['content-type']).toBe('text/html; charset=utf-8');
  expect(shell.headers()['cache-control']).toBe('no-cache');
  const entry = /<script type="module" crossorigin src="(\/assets\/index-[\w-]+\.js)"/.exec(
    await shell.text(),
  )?.[1];
  expect(entry, 'index.html names its entry script').toBeDefined();

  const script = await request.get(entry!);
  expect(script.status()).toBe(200);
  expect(script.headers()['content-type']).toBe('text/javascript; charset=utf-8');
  expect(script.headers()['cache-control']).toBe('public, max-age=31536000, immutable');

  const config = await request.get('/config.json');
  expect(config.headers()['content-type']).toMatch(/^application\/json/);
  expect(config.headers()['cache-control']).toBe('no-cache');
});

test('a missing asset is an error, never the app shell with a 200', async ({ request }) => {
  const response = await request.get('/assets/missing.js');
  // moto's S3 answers 404; the real bucket, which the distribution may read but not list,
  // answers 403. The rewrite function leaves paths with a dot alone either way.
  expect(response.status()).toBe(404);
  expect(response.headers()['content-type'] ?? '').not.toMatch(/^text\/html/);
  expect(await response.text()).not.toContain('<div id="root">');
  expectSecurityHeaders(response.headers(), '/assets/missing.js');
});

for (const path of ['/get_roles', '/get_role_data']) {
  test(`the API's own 401 on ${path} stays JSON through the edge`, async ({ request }) => {
    const response = await request.get(path, { headers: { Authorization: 'Bearer not.a.jwt' } });
    expect(response.status()).toBe(401);
    expect(response.headers()['content-type']).toMatch(/^application\/json/);
    expect(response.headers()['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(await response.json()).toEqual({ error: '❌ invalid session token!' });
    expectSecurityHeaders(response.headers(), `the 401 of ${path}`);
  });
}

test.describe('a stricter CSP', () => {
  test.use({ signedInAs: TEACHER, problemsExpected: true });

  test('is caught: without the Descope origin in connect-src, the session refresh is a violation', async ({
    page,
    problems,
  }) => {
    const standIn = new URL(STAND_IN_URL).origin;
    await page.route(`${SITE_URL}/**`, async (route) => {
      if (route.request().resourceType() !== 'document') return route.fallback();
      const response = await route.fetch();
      const csp = response.headers()['content-security-policy'];
      expect(csp).toContain(` ${standIn}`);
      await route.fulfill({
        response,
        headers: { ...response.headers(), 'content-security-policy': csp.replace(` ${standIn}`, '') },
      });
    });

    await page.goto('/profile');
    await expect.poll(() => problems.cspViolations).toContainEqual(
      expect.stringMatching(new RegExp(`^connect-src blocked ${standIn}/v1/auth/(try-)?refresh`)),
    );
  });
});
