import { expect, test } from '@playwright/test';
import { BOTH, NO_ROLE, screenshot, signIn, STUDENT, TEACHER, type DemoUser } from './support';

const SECRET_MESSAGE = 'You are now a trained Descope user!';

interface Expectation {
  user: DemoUser;
  teacherSection: boolean;
  studentSection: boolean;
}

const cases: Expectation[] = [
  { user: TEACHER, teacherSection: true, studentSection: false },
  { user: STUDENT, teacherSection: false, studentSection: true },
  { user: BOTH, teacherSection: true, studentSection: true },
  { user: NO_ROLE, teacherSection: false, studentSection: false },
];

test('home page offers the login', async ({ page }, testInfo) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Home' })).toBeVisible();
  // The page's own <title> comes before the one index.html ships with.
  await expect(page).toHaveTitle('Home · Descope Roles Demo');
  await screenshot(page, testInfo, 'home', { forReadme: true });
  await page.getByRole('link', { name: 'Login' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page).toHaveTitle('Login · Descope Roles Demo');
  await screenshot(page, testInfo, 'login', { forReadme: true });
});

for (const { user, teacherSection, studentSection } of cases) {
  test(`${user.email}: profile shows the secret message and roles, dashboard what they unlock`, async ({
    page,
  }, testInfo) => {
    await signIn(page, user);

    await expect(page.getByRole('heading', { name: 'My Private Component' })).toBeVisible();
    await expect(page.getByText(SECRET_MESSAGE)).toBeVisible();
    await expect(page.getByText('Your Role(s):')).toBeVisible();
    if (user.roles.length === 0) {
      await expect(page.getByText('No role found!')).toBeVisible();
    } else {
      const roles = page.getByRole('list', { name: 'Your Role(s):' });
      await expect(roles.getByRole('listitem')).toHaveText(user.roles);
    }
    const slug = user.email.split('@')[0];
    await screenshot(page, testInfo, user === TEACHER ? 'profile' : `profile-${slug}`, {
      forReadme: user === TEACHER,
    });

    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect(page).toHaveURL(/\/dashboard$/);
    const teacher = page.getByRole('heading', { name: 'Welcome back Teacher!' });
    const student = page.getByRole('heading', { name: 'Welcome back Student!' });
    if (teacherSection || studentSection) {
      await expect(teacherSection ? teacher : student).toBeVisible();
    } else {
      await expect(page.getByRole('heading', { name: 'No role found!' })).toBeVisible();
    }
    await expect(teacher).toHaveCount(teacherSection ? 1 : 0);
    await expect(student).toHaveCount(studentSection ? 1 : 0);
    if (teacherSection) await expect(page.getByText('You have 50+ students currently 🧑‍🎓')).toBeVisible();
    if (studentSection) await expect(page.getByText('Unlucky! You have homework!')).toBeVisible();
    await screenshot(page, testInfo, user === BOTH ? 'dashboard' : `dashboard-${slug}`, {
      forReadme: user === BOTH,
    });

    await page.getByRole('link', { name: 'Back to Profile' }).click();
    await expect(page).toHaveURL(/\/profile$/);
  });
}
