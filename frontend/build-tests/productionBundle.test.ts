import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_USERS } from '../src/pages/demoUsers';

const FRONTEND_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const VITE_BIN = join(FRONTEND_DIR, 'node_modules', 'vite', 'bin', 'vite.js');

// Local-mode settings in the environment, as on a developer's machine: what keeps the demo
// sign-in out of a production build must be the build itself, not these settings.
const LOCAL_MODE_SETTINGS = {
  VITE_DESCOPE_PROJECT_ID: 'P2LocalStandInProject',
  VITE_DESCOPE_BASE_URL: 'http://127.0.0.1:8787',
  VITE_DESCOPE_LOCAL_LOGIN: 'true',
};

let outDir: string;
let emitted: { path: string; text: string }[];

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'frontend-production-bundle-'));
  const environment: NodeJS.ProcessEnv = { ...process.env, ...LOCAL_MODE_SETTINGS };
  // Vitest sets NODE_ENV=test, which would make this a development build.
  delete environment.NODE_ENV;
  await promisify(execFile)(
    process.execPath,
    [VITE_BIN, 'build', '--mode', 'production', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'],
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
    expect(filesContaining('Login/SignUp to see the Secret Message!')).not.toEqual([]);
  });

  it.each([
    ['the demo password', DEMO_PASSWORD],
    ...DEMO_USERS.map((user) => [`the demo user ${user.email}`, user.email]),
    ...DEMO_USERS.map((user) => [`the demo user ${user.name}`, user.name]),
    ['the demo users heading', 'Demo users'],
    ['the demo sign-in form', 'Is the local Descope stand-in running?'],
  ])('leaves out %s, in every emitted file', (_what, text) => {
    expect(filesContaining(text)).toEqual([]);
  });
});

function filesContaining(text: string): string[] {
  return emitted.filter((file) => file.text.includes(text)).map((file) => file.path);
}

async function readEmittedFiles(dir: string): Promise<{ path: string; text: string }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => {
        const absolute = join(entry.parentPath, entry.name);
        return { path: absolute.slice(dir.length + 1), text: await readFile(absolute, 'latin1') };
      }),
  );
}
