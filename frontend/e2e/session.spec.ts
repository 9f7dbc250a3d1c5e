import { expect, test, type Page } from '@playwright/test';
import { signIn, STUDENT, TEACHER } from './support';

async function expectSentToLogin(page: Page) {
  await expect(page).toHaveURL(/\/login$/);
  await expect(
    page.getByRole('heading', { name: 'Login/SignUp to see the Secret Message!' }),
  ).toBeVisible();
}

test('a deep link to the dashboard while signed out goes to login', async ({ page }) => {
  await page.goto('/dashboard');
  await expectSentToLogin(page);
  await expect(page.getByText('Welcome back')).toHaveCount(0);
});

test('a signed-in user opening home is sent to the profile', async ({ page }) => {
  await signIn(page, STUDENT);
  await page.goto('/');
  await expect(page).toHaveURL(/\/profile$/);
});

test('logout goes to login, and protected pages stay closed afterwards', async ({ page }) => {
  await signIn(page, TEACHER);
  await page.getByRole('button', { name: 'Logout' }).click();
  await expectSentToLogin(page);

  for (const path of ['/profile', '/dashboard']) {
    await page.goto(path);
    await expectSentToLogin(page);
  }
  expect(await page.evaluate(() => localStorage.getItem('DSR'))).toBeFalsy();
});

test('a tampered session token is rejected by the API and the user goes to login', async ({ page }) => {
  await signIn(page, TEACHER);
  await expect(page.getByText('You are now a trained Descope user!')).toBeVisible();

  // Change one character of the signature: still well-formed, no longer Descope's.
  await page.evaluate(() => {
    const token = localStorage.getItem('DS');
    if (!token) throw new Error('no session token in storage');
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    localStorage.setItem('DS', `${token.slice(0, -2)}${last}${token.slice(-1)}`);
  });

  // Client-side navigation, so the SDK does not refresh the token first.
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await expectSentToLogin(page);
  await expect(page.getByText('Welcome back Teacher!')).toHaveCount(0);
});

test('tampered tokens in storage do not survive a reload', async ({ page }) => {
  await signIn(page, STUDENT);
  await page.evaluate(() => {
    for (const key of ['DS', 'DSR']) {
      const token = localStorage.getItem(key);
      if (!token) throw new Error(`no ${key} in storage`);
      const [header, , signature] = token.split('.');
      const forged = btoa(JSON.stringify({ sub: 'someone-else', roles: ['teacher'] }))
        .replace(/=+$/, '')
        .replace(/\+/g, '-')
        .replace(/\//g, '_');
      localStorage.setItem(key, `${header}.${forged}.${signature}`);
    }
  });
  await page.goto('/dashboard');
  await expectSentToLogin(page);
});
