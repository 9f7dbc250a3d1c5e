import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../src/demoUsers';
import { filesContaining, FRONTEND_DIR, readEmittedFiles, type EmittedFile } from './emittedFiles';

// What a developer's shell may export: local-mode settings and anything else named VITE_*.
const SHELL_SETTINGS = {
  VITE_DESCOPE_PROJECT_ID: 'P2ProjectFromTheShell',
  VITE_DESCOPE_BASE_URL: 'http://stand-in-from-the-shell.test:8787',
  VITE_DESCOPE_LOCAL_LOGIN: 'true',
  VITE_UNRELATED_TOKEN: 'value-from-the-shell',
};

let artifactsDir: string;
let emitted: EmittedFile[];

beforeAll(async () => {
  artifactsDir = await mkdtemp(join(tmpdir(), 'frontend-layer-build-'));
  await promisify(execFile)(
    'make',
    [
      // node_modules is in use by this very test run: the install step must not touch it.
      '--old-file=node_modules/.package-lock.json',
      'build-FrontendBuild',
      `ARTIFACTS_DIR=${artifactsDir}`,
    ],
    {
      cwd: FRONTEND_DIR,
      env: { ...process.env, ...SHELL_SETTINGS, NODE_ENV: 'development' },
    },
  );
  emitted = await readEmittedFiles(artifactsDir);
}, 180_000);

afterAll(async () => {
  await rm(artifactsDir, { recursive: true, force: true });
});

describe("sam build's FrontendBuild layer (make build-FrontendBuild)", () => {
  it('puts the site at the root of ARTIFACTS_DIR', () => {
    const paths = emitted.map((file) => file.path);
    expect(paths).toContain('index.html');
    expect(paths.some((path) => /^assets\/index-[\w-]+\.js$/.test(path))).toBe(true);
    expect(filesContaining(emitted, 'Login/SignUp to see the Secret Message!')).not.toEqual([]);
  });

  it.each([
    ['the project ID', SHELL_SETTINGS.VITE_DESCOPE_PROJECT_ID],
    ['the base URL', SHELL_SETTINGS.VITE_DESCOPE_BASE_URL],
    ['an unrelated VITE_* variable', SHELL_SETTINGS.VITE_UNRELATED_TOKEN],
  ])("takes nothing from the shell's settings: %s", (_what, text) => {
    expect(filesContaining(emitted, text)).toEqual([]);
  });

  it('is a production build, whatever NODE_ENV the shell had', () => {
    expect(filesContaining(emitted, DEMO_PASSWORD)).toEqual([]);
  });
});
