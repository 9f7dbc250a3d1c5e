import { defineConfig } from '@playwright/test';

import { debianChromium as chromium } from './playwright.chromium';

// The rehearsal of the deployed site: scripts/test-deployed-site.sh publishes the production
// build and serves it through the distribution's rules, then runs these tests against it.
export default defineConfig({
  testDir: './deployed-site',
  forbidOnly: !!process.env.CI,
  retries: 0,
  // One published site, which the redeploy tests change: one test at a time.
  workers: 1,
  outputDir: 'test-results/deployed-site',
  reporter: [
    ['list'],
    ['json', { outputFile: process.env.RESULTS_FILE ?? 'test-results/deployed-site/results.json' }],
  ],
  use: {
    baseURL: process.env.DEPLOYED_SITE_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'site', testIgnore: /redeploy\.spec\.ts/, use: chromium },
    {
      // Publishes other builds and settings, so it runs once everything else has seen the first.
      name: 'redeploy',
      testMatch: /redeploy\.spec\.ts/,
      dependencies: ['site'],
      use: chromium,
    },
  ],
});
