import { expect, test } from '@playwright/test';
import { setKeysUnavailable, signIn, TEACHER } from './support';

// Runs before every other browser test (see playwright.config.ts): the functions must not have
// fetched Descope's keys yet, because once they hold good keys a failing key endpoint no longer
// matters to them — which is the point of the key cache.
test.describe('when the functions cannot reach Descope for keys', () => {
  test.afterEach(async ({ request }) => {
    await setKeysUnavailable(request, false);
  });

  test('the user sees a retry message, stays signed in, and recovers', async ({ page, request }) => {
    await setKeysUnavailable(request, true);
    await signIn(page, TEACHER);

    // The functions say when they may fetch keys again (Retry-After): a short wait, not an outage.
    const unavailable = page.getByText('Your session could not be checked just now — try again in a moment');
    await expect(unavailable).toBeVisible();
    await expect(page.getByText('You are still signed in.')).toBeVisible();

    // A reload keeps the session: a 503 must not log the user out.
    await page.reload();
    await expect(page).toHaveURL(/\/profile$/);
    await expect(page.getByRole('heading', { name: `Hello ${TEACHER.name} 👋` })).toBeVisible();
    await expect(unavailable).toBeVisible();

    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(unavailable).toBeVisible();

    // After a failed fetch the functions wait a few seconds before asking Descope again, so
    // Retry may need more than one press once the key endpoint is back.
    await setKeysUnavailable(request, false);
    await expect(async () => {
      await page.getByRole('button', { name: 'Retry' }).click();
      await expect(page.getByRole('heading', { name: 'Welcome back Teacher!' })).toBeVisible({
        timeout: 1_000,
      });
    }).toPass({ timeout: 20_000 });
  });
});
