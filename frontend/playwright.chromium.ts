import { devices } from '@playwright/test';

// Browser tests drive Debian's Chromium (no browser download is possible or wanted),
// running as root with no network: hence the sandbox and background-service flags.
export const debianChromium = {
  ...devices['Desktop Chrome'],
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  },
};
