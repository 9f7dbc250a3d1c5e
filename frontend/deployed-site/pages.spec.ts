import {
  DEMO_USERS,
  expect,
  expectDashboard,
  expectProfile,
  isSiteRequest,
  SITE_URL,
  TEACHER,
  test,
  waitForHostedFlowToLoad,
} from './support';

// Every test here also fails on any CSP violation or console error (support.ts).

test.describe('signed out', () => {
  test('the home page, from the bucket through the rewrite of /', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
    await expect(page).toHaveTitle('Home · Descope Roles Demo');
  });

  test("the login page shows the hosted flow's container, not the demo form", async ({ page }) => {
    await waitForHostedFlowToLoad(page, () => page.goto('/login'));
    await expect(
      page.getByRole('heading', { name: 'Login/SignUp to see the Secret Message!' }),
    ).toBeVisible();
    await expect(page.locator('.descope-flow')).toBeAttached();
    await expect(page.getByLabel('Password')).toHaveCount(0);
  });

  test('a private page sends the visitor to the login page', async ({ page }) => {
    await waitForHostedFlowToLoad(page, () => page.goto('/dashboard'));
    await expect(page).toHaveURL(`${SITE_URL}/login`);
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toHaveCount(0);
  });

  test('an unknown address is the app\'s not-found page', async ({ page }) => {
    await page.goto('/no/such/page');
    await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  });
});

for (const user of DEMO_USERS) {
  test.describe(`signed in as ${user.email}`, () => {
    test.use({ signedInAs: user });

    test('profile and dashboard show their data from the API, through the edge', async ({ page }) => {
      const apiCalls: string[] = [];
      page.on('response', (response) => {
        if (isSiteRequest(response.request()) && /\/get_role/.test(response.url())) {
          apiCalls.push(`${new URL(response.url()).pathname} ${response.status()}`);
        }
      });

      await page.goto('/');
      await expect(page).toHaveURL(`${SITE_URL}/profile`);
      await expectProfile(page, user);

      await page.getByRole('link', { name: 'Dashboard' }).click();
      await expect(page).toHaveURL(`${SITE_URL}/dashboard`);
      await expectDashboard(page, user);

      expect(apiCalls).toEqual(['/get_roles 200', '/get_role_data 200']);
    });

    test('a deep link to /dashboard serves the app', async ({ page }) => {
      const response = await page.goto('/dashboard');
      expect(response?.status()).toBe(200);
      await expect(page).toHaveURL(`${SITE_URL}/dashboard`);
      await expectDashboard(page, user);
    });
  });
}

test.describe('a reload', () => {
  test.use({ signedInAs: TEACHER });

  test('of /dashboard serves the app again, still signed in', async ({ page }) => {
    await page.goto('/dashboard');
    await expectDashboard(page, TEACHER);
    const reloaded = await page.reload();
    expect(reloaded?.status()).toBe(200);
    expect(reloaded?.headers()['content-type']).toMatch(/^text\/html/);
    await expect(page).toHaveURL(`${SITE_URL}/dashboard`);
    await expectDashboard(page, TEACHER);
  });
});
