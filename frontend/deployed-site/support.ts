import { expect, test as base, type Page, type Request } from '@playwright/test';
import { DEMO_PASSWORD, type DemoUser } from '../src/demoUsers';

export { BOTH, DEMO_USERS, NO_ROLE, STUDENT, TEACHER, type DemoUser } from '../src/demoUsers';

/** Set by scripts/test-deployed-site.sh, which starts everything these tests reach. */
function fromRehearsal(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests with scripts/test-deployed-site.sh`);
  return value;
}

export const SITE_URL = fromRehearsal('DEPLOYED_SITE_URL');
export const STAND_IN_URL = fromRehearsal('STAND_IN_URL');
export const PROJECT_ID = fromRehearsal('STAND_IN_PROJECT_ID');
export const SECRET_MESSAGE = 'You are now a trained Descope user!';

/**
 * Signs in through the stand-in's API, as the hosted flow would through Descope's, and returns
 * the browser storage @descope/web-js-sdk leaves after a sign-in (its keys, with no storage
 * prefix): the session and refresh tokens, and the last user's login ID and name, whose presence
 * tells it on the next load that a session may exist and is worth refreshing. Loading the site
 * then makes the SDK refresh the session against the stand-in, as it would against Descope.
 */
export async function signedInStorage(user: DemoUser) {
  const response = await fetch(`${STAND_IN_URL}/v1/auth/password/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ loginId: user.email, password: DEMO_PASSWORD }),
  });
  expect(response.ok, `signing in as ${user.email}: ${response.status}`).toBe(true);
  const { sessionJwt, refreshJwt, user: signedIn } = (await response.json()) as {
    sessionJwt: string;
    refreshJwt: string;
    user: { loginIds: string[]; name: string };
  };
  const localStorage = [
    { name: 'DS', value: sessionJwt },
    { name: 'DSR', value: refreshJwt },
    { name: 'dls_last_user_login_id', value: signedIn.loginIds[0] },
    { name: 'dls_last_user_display_name', value: signedIn.name },
  ];
  return { cookies: [], origins: [{ origin: SITE_URL, localStorage }] };
}

/** Descope's own hosts, which the site's CSP admits and which are out of reach offline. */
export function isDescopeCdn(url: string | URL): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' && (hostname === 'descopecdn.com' || hostname.endsWith('.descope.com'));
}

/**
 * Whether a console error is the hosted flow failing to fetch what only Descope serves: its
 * flow pages and their config (under the project's base URL, or Descope's CDN) and its UI
 * components. Offline, the login page's widget cannot load, and says so; the rehearsal signs in
 * through the stand-in's API instead.
 */
function isHostedFlowOffline(text: string, source: string): boolean {
  if (text.startsWith('[Descope] ')) return true;
  return (
    text.startsWith('Failed to load resource') &&
    (isDescopeCdn(source) || source.startsWith(`${STAND_IN_URL}/pages/`))
  );
}

export interface PageProblems {
  cspViolations: string[];
  consoleErrors: string[];
}

/**
 * Records every CSP violation (the page's securitypolicyviolation events: none is ever
 * excused) and every console error or uncaught exception on the page, from its first
 * navigation on, but the hosted flow's reports that Descope is out of reach.
 *
 * Requests to Descope's CDN get an answer at once, as no network is reachable: the browser has
 * applied the CSP to them before that. Scripts get an empty one, as if loaded, so the widget does
 * not go on to the last-resort mirror that the CSP leaves out on purpose; other files are
 * missing.
 */
export async function watchForProblems(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { cspViolations: [], consoleErrors: [] };
  await page.route(isDescopeCdn, (route) =>
    route.request().resourceType() === 'script'
      ? route.fulfill({ status: 200, contentType: 'text/javascript', body: '' })
      : route.fulfill({ status: 404, contentType: 'text/plain', body: 'offline' }),
  );
  await page.exposeFunction('reportCspViolation', (violation: string) => {
    problems.cspViolations.push(violation);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { reportCspViolation: (v: string) => void }).reportCspViolation;
      void report(`${event.effectiveDirective} blocked ${event.blockedURI} (from ${event.sourceFile || 'the page'})`);
    });
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const source = message.location().url;
    if (isHostedFlowOffline(message.text(), source)) return;
    problems.consoleErrors.push(`${message.text()} (${source || 'no location'})`);
  });
  page.on('pageerror', (error) => problems.consoleErrors.push(`uncaught: ${error.message}`));
  return problems;
}

/**
 * Waits until the login page's hosted flow has asked Descope's CDN for its UI components: by
 * then it has made every request the CSP rules on while loading.
 */
export async function waitForHostedFlowToLoad(page: Page, navigation: () => Promise<unknown>) {
  const componentsRequested = page.waitForRequest(/\/@descope\/web-components-ui@/);
  await navigation();
  await componentsRequested;
}

interface RehearsalOptions {
  /** The demo user whose session the browser holds, or null for a signed-out visitor. */
  signedInAs: DemoUser | null;
  /** Whether the test provokes problems itself, and so checks them on its own. */
  problemsExpected: boolean;
}

/**
 * Playwright's test, with the browser signed in as `signedInAs` and every test failing on any
 * CSP violation or console error unless it sets `problemsExpected`.
 */
export const test = base.extend<RehearsalOptions & { problems: PageProblems }>({
  signedInAs: [null, { option: true }],
  problemsExpected: [false, { option: true }],
  storageState: async ({ signedInAs }, provide) => {
    await provide(signedInAs ? await signedInStorage(signedInAs) : { cookies: [], origins: [] });
  },
  problems: [
    async ({ page, problemsExpected }, provide) => {
      const problems = await watchForProblems(page);
      await provide(problems);
      if (!problemsExpected) {
        expect(problems.cspViolations, 'CSP violations').toEqual([]);
        expect(problems.consoleErrors, 'console errors').toEqual([]);
      }
    },
    { auto: true },
  ],
});

export { expect };

/** The site's own requests, for checks on every response the edge gave. */
export function isSiteRequest(request: Request): boolean {
  return request.url().startsWith(`${SITE_URL}/`);
}

/** Waits until a signed-in page has shown its API data (or its problem). */
export async function expectProfile(page: Page, user: DemoUser) {
  await expect(page.getByRole('heading', { name: `Hello ${user.name} 👋` })).toBeVisible();
  await expect(page.getByText(SECRET_MESSAGE)).toBeVisible();
  if (user.roles.length === 0) {
    await expect(page.getByText('No role found!')).toBeVisible();
  } else {
    const roles = page.getByRole('list', { name: 'Your Role(s):' });
    await expect(roles.getByRole('listitem')).toHaveText(user.roles);
  }
}

export async function expectDashboard(page: Page, user: DemoUser) {
  const teacher = page.getByRole('heading', { name: 'Welcome back Teacher!' });
  const student = page.getByRole('heading', { name: 'Welcome back Student!' });
  const isTeacher = user.roles.includes('teacher');
  const isStudent = user.roles.includes('student');
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  if (isTeacher || isStudent) {
    await expect(isTeacher ? teacher : student).toBeVisible();
  } else {
    await expect(page.getByRole('heading', { name: 'No role found!' })).toBeVisible();
  }
  await expect(teacher).toHaveCount(isTeacher ? 1 : 0);
  await expect(student).toHaveCount(isStudent ? 1 : 0);
}
