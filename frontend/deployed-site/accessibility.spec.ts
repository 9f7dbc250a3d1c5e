import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import {
  DEMO_USERS,
  expect,
  expectDashboard,
  expectProfile,
  SITE_URL,
  TEACHER,
  test,
  type DemoUser,
  waitForHostedFlowToLoad,
} from './support';

const WIDTHS = [390, 1280];

/** The serious and critical axe findings on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${new URL(page.url()).pathname}: ${violation.id} (${violation.impact}) at ${violation.nodes
          .map((node) => node.target.join(' '))
          .join(', ')}`,
    );
}

async function signedOutPages(page: Page): Promise<string[]> {
  const found: string[] = [];
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  found.push(...(await seriousViolations(page)));
  await waitForHostedFlowToLoad(page, () => page.goto('/login'));
  await expect(page.getByRole('heading', { name: 'Login/SignUp to see the Secret Message!' })).toBeVisible();
  found.push(...(await seriousViolations(page)));
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  found.push(...(await seriousViolations(page)));
  return found;
}

async function signedInPages(page: Page, user: DemoUser): Promise<string[]> {
  const found: string[] = [];
  await page.goto('/profile');
  await expectProfile(page, user);
  found.push(...(await seriousViolations(page)));
  await page.goto('/dashboard');
  await expectDashboard(page, user);
  found.push(...(await seriousViolations(page)));
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  found.push(...(await seriousViolations(page)));
  return found;
}

for (const width of WIDTHS) {
  test.describe(`${width} px wide`, () => {
    test.use({ viewport: { width, height: 844 } });

    test('signed out: no serious or critical axe finding on any page', async ({ page }) => {
      expect(await signedOutPages(page)).toEqual([]);
    });

    for (const user of DEMO_USERS) {
      test.describe(`signed in as ${user.email}`, () => {
        test.use({ signedInAs: user });

        test('no serious or critical axe finding on any page', async ({ page }) => {
          expect(await signedInPages(page, user)).toEqual([]);
        });
      });
    }
  });
}

test.describe('the checks themselves', () => {
  test.use({ signedInAs: TEACHER });

  test('axe reports a control with no name, and a focus ring styled away', async ({ page }) => {
    await page.goto('/profile');
    await expectProfile(page, TEACHER);
    const logout = page.getByRole('button', { name: 'Logout' });
    await tabTo(page, logout);
    await page.addStyleTag({ content: ':focus-visible { outline: none !important; }' });
    await expect(expectVisibleFocus(logout)).rejects.toThrow();

    await logout.evaluate((button) => {
      button.textContent = '';
    });
    expect(await seriousViolations(page)).toContainEqual(expect.stringMatching(/^\/profile: button-name \(critical\)/));
  });
});

/** Presses Tab until `target` has the focus (at most `presses` times). */
async function tabTo(page: Page, target: Locator, presses = 15) {
  for (let pressed = 0; pressed < presses; pressed++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`${presses} presses of Tab never reached ${target}`);
}

/** The focused control shows it: the keyboard focus ring, drawn as an outline. */
async function expectVisibleFocus(target: Locator) {
  const ring = await target.evaluate((element) => {
    const style = getComputedStyle(element);
    return {
      focusVisible: element.matches(':focus-visible'),
      outline: `${style.outlineStyle} ${style.outlineWidth}`,
    };
  });
  expect(ring.focusVisible).toBe(true);
  expect(ring.outline).not.toMatch(/^none|\s0px$/);
}

// The production build signs in with Descope's hosted flow, a widget Descope serves and that
// cannot load offline: keyboard sign-in here means reaching the login page and its flow from the
// keyboard. The flow's own fields are Descope's.
test.describe('keyboard only', () => {
  test('signed out: the login page is reachable from the home page', async ({ page }) => {
    await page.goto('/');
    const login = page.getByRole('link', { name: 'Login' });
    await tabTo(page, login);
    await expectVisibleFocus(login);
    await waitForHostedFlowToLoad(page, () => page.keyboard.press('Enter'));
    await expect(page).toHaveURL(`${SITE_URL}/login`);
    await expect(page.getByRole('heading', { name: 'Login/SignUp to see the Secret Message!' })).toBeVisible();
    await expect(page.locator('.descope-flow')).toBeAttached();
  });

  test.describe('signed in', () => {
    test.use({ signedInAs: TEACHER });

    test('navigation and logout are reachable and visibly focused', async ({ page }) => {
      await page.goto('/profile');
      await expectProfile(page, TEACHER);

      const dashboard = page.getByRole('link', { name: 'Dashboard' });
      await tabTo(page, dashboard);
      await expectVisibleFocus(dashboard);
      await page.keyboard.press('Enter');
      await expectDashboard(page, TEACHER);

      const back = page.getByRole('link', { name: 'Back to Profile' });
      await tabTo(page, back);
      await expectVisibleFocus(back);
      await page.keyboard.press('Enter');
      await expectProfile(page, TEACHER);

      const logout = page.getByRole('button', { name: 'Logout' });
      await tabTo(page, logout);
      await expectVisibleFocus(logout);
      await waitForHostedFlowToLoad(page, () => page.keyboard.press('Enter'));
      await expect(page).toHaveURL(`${SITE_URL}/login`);
      expect(await page.evaluate(() => localStorage.getItem('DSR'))).toBeNull();
      await waitForHostedFlowToLoad(page, () => page.goto('/profile'));
      await expect(page).toHaveURL(`${SITE_URL}/login`);
    });
  });
});
