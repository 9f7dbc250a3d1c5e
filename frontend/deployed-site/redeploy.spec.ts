import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import {
  expect,
  expectProfile,
  PROJECT_ID,
  SITE_URL,
  STAND_IN_URL,
  TEACHER,
  test,
  waitForHostedFlowToLoad,
} from './support';

// These tests redeploy the site through the publisher, as CloudFormation's stack updates would,
// so they run in order, after every other test, and leave the first build live again.
test.describe.configure({ mode: 'serial' });

function fromRehearsal(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests with scripts/test-deployed-site.sh`);
  return value;
}

const STACK_CONTROL_URL = fromRehearsal('STACK_CONTROL_URL');
const FIRST_BUILD = fromRehearsal('FIRST_BUILD_DIR');
const SECOND_BUILD = fromRehearsal('SECOND_BUILD_DIR');
const SECOND_BUILD_FOOTER = fromRehearsal('SECOND_BUILD_FOOTER');
const OTHER_PROJECT_ID = 'P2AnotherProject';

/** A stack update that changes the build or the parameters; returns CloudFormation's answer. */
async function publish(build: string, projectId: string, baseUri = STAND_IN_URL) {
  const response = await fetch(`${STACK_CONTROL_URL}/publish`, {
    method: 'POST',
    body: JSON.stringify({ build, projectId, baseUri }),
  });
  expect(response.ok, await response.clone().text()).toBe(true);
  const answer = (await response.json()) as { Status: string; Reason?: string };
  expect(answer.Status, answer.Reason).toBe('SUCCESS');
}

function assetsOf(build: string): string[] {
  return readdirSync(join(build, 'assets'));
}

function entryScriptOf(html: string): string | undefined {
  return /src="\/assets\/(index-[\w-]+\.js)"/.exec(html)?.[1];
}

/** Every asset the page fetched, as "name status". */
function recordAssets(page: Page): string[] {
  const fetched: string[] = [];
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (response.url().startsWith(SITE_URL) && path.startsWith('/assets/')) {
      fetched.push(`${path.slice('/assets/'.length)} ${response.status()}`);
    }
  });
  return fetched;
}

test.afterAll(async () => {
  await publish(FIRST_BUILD, PROJECT_ID);
});

test('an open tab survives a redeploy: it still loads the chunks it had not loaded, and a reload picks up the new build', async ({
  page,
}) => {
  const loginChunk = assetsOf(FIRST_BUILD).find((name) => /^SignUpOrInFlow-[\w-]+\.js$/.test(name));
  expect(loginChunk, "the first build's login chunk").toBeDefined();
  // The premise: the second build replaces that chunk under another name.
  expect(assetsOf(SECOND_BUILD)).not.toContain(loginChunk);
  const fetched = recordAssets(page);

  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  const firstEntry = entryScriptOf(await (await page.request.get('/')).text());
  expect(fetched.some((asset) => asset.startsWith('SignUpOrInFlow-'))).toBe(false);

  await publish(SECOND_BUILD, PROJECT_ID);
  const secondEntry = entryScriptOf(await (await page.request.get('/')).text());
  expect(secondEntry, 'the site now serves the second build').not.toBe(firstEntry);

  await waitForHostedFlowToLoad(page, () => page.getByRole('link', { name: 'Login' }).click());
  await expect(page.getByRole('heading', { name: 'Login/SignUp to see the Secret Message!' })).toBeVisible();
  await expect(page.locator('.descope-flow')).toBeAttached();
  expect(fetched).toContain(`${loginChunk} 200`);
  expect(fetched.filter((asset) => !asset.endsWith(' 200'))).toEqual([]);

  await page.reload();
  await expect(page.getByText(SECOND_BUILD_FOOTER)).toBeVisible();
  expect(fetched).toContain(`${secondEntry} 200`);
});

test.describe('runtime configuration', () => {
  // A project the stand-in does not serve refuses the session: the console shows the refusal.
  test.use({ signedInAs: TEACHER, problemsExpected: true });

  test("changed parameters reach a reloaded tab through config.json, with the same build", async ({
    page,
    problems,
  }) => {
    await page.goto('/profile');
    await expectProfile(page, TEACHER);
    const entry = entryScriptOf(await (await page.request.get('/')).text());

    await publish(SECOND_BUILD, OTHER_PROJECT_ID);
    const config = page.waitForResponse(`${SITE_URL}/config.json`);
    const sdkCall = page.waitForRequest((request) => request.url().startsWith(`${STAND_IN_URL}/v1/auth/`));
    await page.reload();

    expect(await (await config).json()).toEqual({ projectId: OTHER_PROJECT_ID, baseUrl: STAND_IN_URL });
    expect((await sdkCall).headers()['authorization']).toMatch(new RegExp(`^Bearer ${OTHER_PROJECT_ID}:`));
    expect(entryScriptOf(await (await page.request.get('/')).text()), 'no new build').toBe(entry);
    expect(problems.cspViolations).toEqual([]);
  });

  test('an unusable config.json shows the setup page', async ({ page, problems }) => {
    // CloudFormation would refuse an empty DescopeProjectId (MinLength); the publisher writes
    // what it is given, so this stands for any config.json the app cannot use.
    await publish(SECOND_BUILD, '');
    await page.goto('/profile');
    await expect(page.getByRole('heading', { level: 1, name: 'Setup needed' })).toBeVisible();
    await expect(page.getByRole('alert')).toHaveText(/config\.json/);
    expect(problems.cspViolations).toEqual([]);
    expect(problems.consoleErrors).toEqual([]);
  });
});
