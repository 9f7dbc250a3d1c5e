import { defineConfig } from '@playwright/test';

import { debianChromium as chromium } from './playwright.chromium';

// The app must already be running (scripts/test-e2e.sh starts it with scripts/dev.sh).
export default defineConfig({
  testDir: './e2e',
  forbidOnly: !!process.env.CI,
  retries: 0,
  // One shared backend whose key cache is part of what is tested: run in order.
  workers: 1,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: process.env.E2E_BASE_URL ?? 'http://127.0.0.1:5173',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      // Needs functions that have never fetched Descope's keys, so it goes first.
      name: 'auth-service-down',
      testMatch: /auth-service-down\.spec\.ts/,
      use: chromium,
    },
    {
      name: 'app',
      testIgnore: /auth-service-down\.spec\.ts/,
      dependencies: ['auth-service-down'],
      use: chromium,
    },
  ],
});
