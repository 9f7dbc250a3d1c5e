import { expect, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PASSWORD, type DemoUser } from '../src/demoUsers';

export { BOTH, NO_ROLE, STUDENT, TEACHER, type DemoUser } from '../src/demoUsers';

/** The local Descope stand-in the app under test signs in against. */
export const STAND_IN_URL = process.env.E2E_STAND_IN_URL ?? 'http://127.0.0.1:8787';

/** Signs in through the app's local sign-in form, which calls the real Descope SDK. */
export async function signIn(page: Page, user: DemoUser): Promise<void> {
  await page.goto('/login');
  await expect(
    page.getByRole('heading', { name: 'Login/SignUp to see the Secret Message!' }),
  ).toBeVisible();
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole('heading', { name: `Hello ${user.name} 👋` })).toBeVisible();
}

/** Makes the stand-in's key endpoint fail (503) or work again. */
export async function setKeysUnavailable(
  request: APIRequestContext,
  keysUnavailable: boolean,
): Promise<void> {
  const response = await request.post(`${STAND_IN_URL}/_stand-in/faults`, {
    data: { keys_unavailable: keysUnavailable },
  });
  expect(response.ok(), `fault switch answered ${response.status()}`).toBe(true);
}

const DOCS_SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');

/**
 * Saves a screenshot as a test artifact. A page the README shows (`forReadme`) is also copied to
 * docs/screenshots/ when E2E_UPDATE_DOCS_SCREENSHOTS=1.
 */
export async function screenshot(
  page: Page,
  testInfo: TestInfo,
  name: string,
  { forReadme = false } = {},
): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
  if (forReadme && process.env.E2E_UPDATE_DOCS_SCREENSHOTS === '1') {
    mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(DOCS_SCREENSHOTS, `${name}.png`), fullPage: true });
  }
}
