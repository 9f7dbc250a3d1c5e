import { expect, test } from './support';

test.describe('a page whose code fails to load', () => {
  test.use({ problemsExpected: true });

  test('shows the error page inside the site, with a way home that works', async ({ page, problems }) => {
    // The login page's lazily loaded chunk, gone as if a deploy had pruned it.
    await page.route(/\/assets\/SignUpOrInFlow-[\w-]+\.js$/, (route) =>
      route.fulfill({ status: 404, contentType: 'text/plain', body: 'Not Found' }),
    );

    await page.goto('/login');
    await expect(page.getByRole('heading', { level: 1, name: 'Something went wrong' })).toBeVisible();
    await expect(page.getByRole('alert')).toHaveText(/This page could not be shown/);
    await expect(page.getByRole('link', { name: 'Descope Roles Demo' })).toBeVisible();
    expect(problems.consoleErrors).toContainEqual(expect.stringMatching(/^A page failed to render/));
    expect(problems.cspViolations).toEqual([]);

    await page.getByRole('link', { name: 'Go to Home' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  });
});
