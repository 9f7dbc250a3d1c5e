import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAND_IN_PROJECT_ID } from '../src/localStandIn';
import { DEMO_PASSWORD, DEMO_USERS } from '../src/demoUsers';
import { filesContaining, FRONTEND_DIR, readEmittedFiles, type EmittedFile } from './emittedFiles';

const VITE_BIN = join(FRONTEND_DIR, 'node_modules', 'vite', 'bin', 'vite.js');

const LOCAL_MODE_SETTINGS = {
  VITE_DESCOPE_PROJECT_ID: STAND_IN_PROJECT_ID,
  VITE_DESCOPE_BASE_URL: 'http://127.0.0.1:8787',
  VITE_DESCOPE_LOCAL_LOGIN: 'true',
};

let outDir: string;
let emitted: EmittedFile[];

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'frontend-production-bundle-'));
  // Local-mode settings in the environment on purpose: what keeps the demo sign-in out of a
  // production build must be the build itself, not these settings.
  const environment: NodeJS.ProcessEnv = { ...process.env, ...LOCAL_MODE_SETTINGS };
  // Vitest sets NODE_ENV=test, which would make this a development build.
  delete environment.NODE_ENV;
  await promisify(execFile)(
    process.execPath,
    [VITE_BIN, 'build', '--mode', 'production', '--outDir', outDir, '--emptyOutDir'],
    { cwd: FRONTEND_DIR, env: environment },
  );
  emitted = await readEmittedFiles(outDir);
}, 120_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('the production build', () => {
  it('holds the app itself, so the searches below look at real output', () => {
    expect(emitted.map((file) => file.path)).toContain('index.html');
    expect(filesContaining(emitted, 'Login/SignUp to see the Secret Message!')).not.toEqual([]);
  });

  it.each([
    ['the demo password', DEMO_PASSWORD],
    ...DEMO_USERS.map((user) => [`the demo user ${user.email}`, user.email]),
    ...DEMO_USERS.map((user) => [`the demo user ${user.name}`, user.name]),
    ['the demo users heading', 'Demo users'],
    ['the demo sign-in form', 'Is the local Descope stand-in running?'],
  ])('leaves out %s, in every emitted file', (_what, text) => {
    expect(filesContaining(emitted, text)).toEqual([]);
  });
});
