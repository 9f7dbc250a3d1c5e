import { describe, expect, it } from 'vitest';
import { readConfig, readConfigJson } from './config';
import { STAND_IN_PROJECT_ID } from './localStandIn';

describe('readConfig', () => {
  it('requires a project ID', () => {
    expect(readConfig({})).toEqual({ ok: false, problem: { kind: 'missing-project-id' } });
    expect(readConfig({ VITE_DESCOPE_PROJECT_ID: '   ' })).toEqual({
      ok: false,
      problem: { kind: 'missing-project-id' },
    });
  });

  it('uses Descope cloud when no base URL is set', () => {
    expect(readConfig({ VITE_DESCOPE_PROJECT_ID: 'P123' })).toEqual({
      ok: true,
      config: { projectId: 'P123', baseUrl: undefined, localLogin: false },
    });
  });

  it('refuses local login without a base URL, which would silently mean Descope cloud', () => {
    expect(
      readConfig({ VITE_DESCOPE_PROJECT_ID: 'P123', VITE_DESCOPE_LOCAL_LOGIN: 'true' }),
    ).toEqual({ ok: false, problem: { kind: 'local-login-without-base-url' } });
  });

  it('accepts local login pointed at a stand-in', () => {
    expect(
      readConfig({
        VITE_DESCOPE_PROJECT_ID: STAND_IN_PROJECT_ID,
        VITE_DESCOPE_BASE_URL: 'http://127.0.0.1:8787',
        VITE_DESCOPE_LOCAL_LOGIN: 'true',
      }),
    ).toEqual({
      ok: true,
      config: {
        projectId: STAND_IN_PROJECT_ID,
        baseUrl: 'http://127.0.0.1:8787',
        localLogin: true,
      },
    });
  });

  it('rejects a base URL that is not http(s)', () => {
    expect(
      readConfig({ VITE_DESCOPE_PROJECT_ID: 'P123', VITE_DESCOPE_BASE_URL: '127.0.0.1:8787' }),
    ).toEqual({ ok: false, problem: { kind: 'invalid-base-url', value: '127.0.0.1:8787' } });
  });

  it('treats only "true" as enabling local login', () => {
    const result = readConfig({
      VITE_DESCOPE_PROJECT_ID: 'P123',
      VITE_DESCOPE_LOCAL_LOGIN: 'yes',
    });
    expect(result).toEqual({
      ok: true,
      config: { projectId: 'P123', baseUrl: undefined, localLogin: false },
    });
  });

  it('refuses local login in a build without the demo sign-in form', () => {
    expect(
      readConfig(
        {
          VITE_DESCOPE_PROJECT_ID: STAND_IN_PROJECT_ID,
          VITE_DESCOPE_BASE_URL: 'http://127.0.0.1:8787',
          VITE_DESCOPE_LOCAL_LOGIN: 'true',
        },
        { localLoginAvailable: false },
      ),
    ).toEqual({ ok: false, problem: { kind: 'local-login-outside-dev-server' } });
  });

  it('runs a production build with a real project as usual', () => {
    expect(
      readConfig({ VITE_DESCOPE_PROJECT_ID: 'P123' }, { localLoginAvailable: false }),
    ).toEqual({ ok: true, config: { projectId: 'P123', baseUrl: undefined, localLogin: false } });
  });
});

describe('readConfigJson', () => {
  it('takes the project ID and base URL the stack deployed', () => {
    expect(
      readConfigJson({ projectId: 'P2abc', baseUrl: 'https://auth.example.com' }),
    ).toEqual({
      ok: true,
      config: { projectId: 'P2abc', baseUrl: 'https://auth.example.com', localLogin: false },
    });
  });

  it('reads an empty base URL as Descope cloud', () => {
    expect(readConfigJson({ projectId: 'P2abc', baseUrl: '' })).toEqual({
      ok: true,
      config: { projectId: 'P2abc', baseUrl: undefined, localLogin: false },
    });
    expect(readConfigJson({ projectId: 'P2abc' })).toEqual({
      ok: true,
      config: { projectId: 'P2abc', baseUrl: undefined, localLogin: false },
    });
  });

  it('never enables the local demo login', () => {
    expect(
      readConfigJson({
        projectId: 'P2abc',
        baseUrl: 'http://127.0.0.1:8787',
        localLogin: true,
        VITE_DESCOPE_LOCAL_LOGIN: 'true',
      }),
    ).toEqual({
      ok: true,
      config: { projectId: 'P2abc', baseUrl: 'http://127.0.0.1:8787', localLogin: false },
    });
  });

  it.each([
    ['an empty project ID', { projectId: '  ', baseUrl: '' }],
    ['no project ID', { baseUrl: 'https://auth.example.com' }],
  ])('requires a project ID: %s', (_case, served) => {
    expect(readConfigJson(served)).toEqual({
      ok: false,
      problem: { kind: 'invalid-config-json', reason: { kind: 'missing-project-id' } },
    });
  });

  it('rejects a base URL that is not http(s)', () => {
    expect(readConfigJson({ projectId: 'P2abc', baseUrl: 'auth.example.com' })).toEqual({
      ok: false,
      problem: {
        kind: 'invalid-config-json',
        reason: { kind: 'invalid-base-url', value: 'auth.example.com' },
      },
    });
  });

  it.each([
    ['null', null],
    ['a string', 'P2abc'],
    ['a list', [{ projectId: 'P2abc' }]],
    ['a project ID that is not a string', { projectId: 42, baseUrl: '' }],
    ['a base URL that is not a string', { projectId: 'P2abc', baseUrl: null }],
  ])('rejects %s', (_case, served) => {
    expect(readConfigJson(served)).toEqual({
      ok: false,
      problem: { kind: 'invalid-config-json', reason: { kind: 'not-a-settings-object' } },
    });
  });
});
