// Starts the stand-in binary on a free port for a test file and stops it afterwards.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// The stand-in's defaults and demo users (src/config.rs, src/users.rs), named once for the tests.
export const PROJECT_ID = 'P2LocalStandInProject';
export const PASSWORD = 'demo-password';
export const TEACHER = {
  loginId: 'teacher@example.com',
  userId: 'U2LocalTeacher',
  name: 'Tess Teacher',
};
export const STUDENT = {
  loginId: 'student@example.com',
  userId: 'U2LocalStudent',
  name: 'Sam Student',
};
export const BOTH = { loginId: 'both@example.com', userId: 'U2LocalBoth', name: 'Blake Both' };

const BINARY =
  process.env.STAND_IN_BIN ??
  fileURLToPath(new URL('../../../target/debug/descope-stand-in', import.meta.url));

/** Resolves to `{ baseUrl, stop }` once the stand-in prints its listening line. */
export async function startStandIn() {
  assert.ok(
    existsSync(BINARY),
    `no stand-in binary at ${BINARY}: run cargo build -p descope-stand-in (or set STAND_IN_BIN)`,
  );
  const child = spawn(BINARY, ['--port', '0', '--project-id', PROJECT_ID], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines = createInterface({ input: child.stdout });
  const [firstLine] = await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the stand-in exited with ${code} before listening`);
    }),
  ]);
  const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(firstLine);
  assert.ok(match, `unexpected first line ${JSON.stringify(firstLine)}`);
  return { baseUrl: match[1], stop: () => child.kill() };
}
