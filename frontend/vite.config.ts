import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The API is served on the site's own origin in production (CloudFront), so the
// app only ever uses relative URLs; locally the dev server forwards the same
// paths to `cargo lambda watch`.
const LOCAL_API = 'http://127.0.0.1:9000';
const API_PATHS = ['/get_roles', '/get_role_data'];

export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(API_PATHS.map((path) => [path, { target: LOCAL_API }])),
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    strictPort: true,
    proxy: Object.fromEntries(API_PATHS.map((path) => [path, { target: LOCAL_API }])),
  },
  test: {
    restoreMocks: true,
    unstubGlobals: true,
    // The SDK announces its refresh timer on every sign-in; it says nothing about the test.
    onConsoleLog: (log) => !log.startsWith('Setting refresh timer'),
    projects: [
      {
        extends: true,
        test: {
          name: 'app',
          environment: 'jsdom',
          setupFiles: ['./src/test/setup.ts'],
          include: ['src/**/*.test.{ts,tsx}'],
        },
      },
      {
        // Builds the app for production and inspects what would be deployed.
        extends: true,
        test: {
          name: 'build',
          environment: 'node',
          include: ['build-tests/**/*.test.ts'],
        },
      },
    ],
  },
});
