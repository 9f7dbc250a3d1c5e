import { expect, test, type Page } from '@playwright/test';
import { STAND_IN_PROJECT_ID } from '../src/localStandIn';
import { STAND_IN_URL } from './support';

// The dev server has no /config.json and answers with the app's HTML, so every other test runs on
// the build-time settings. These serve one, as a deployed site does.
async function serveConfigJson(page: Page, body: string) {
  await page.route('**/config.json', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body }),
  );
}

test('a served /config.json takes over, and never offers the demo sign-in', async ({ page }) => {
  await serveConfigJson(
    page,
    JSON.stringify({ projectId: STAND_IN_PROJECT_ID, baseUrl: STAND_IN_URL }),
  );

  await page.goto('/login');

  await expect(
    page.getByRole('heading', { name: 'Login/SignUp to see the Secret Message!' }),
  ).toBeVisible();
  await expect(page.locator('descope-wc')).toBeAttached();
  await expect(page.getByLabel('Email')).toHaveCount(0);
  await expect(page.getByText('Demo users')).toHaveCount(0);
  await expect(page.getByText('Local stand-in')).toHaveCount(0);
});

test('a /config.json that cannot be used shows the setup page', async ({ page }) => {
  await serveConfigJson(page, JSON.stringify({ projectId: '', baseUrl: '' }));

  await page.goto('/profile');

  await expect(page.getByRole('heading', { level: 1, name: 'Setup needed' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText("The site's /config.json cannot be used");
});
