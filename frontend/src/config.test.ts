import { describe, expect, it } from 'vitest';
import { readConfig } from './config';

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
        VITE_DESCOPE_PROJECT_ID: 'P2LocalStandInProject',
        VITE_DESCOPE_BASE_URL: 'http://127.0.0.1:8787',
        VITE_DESCOPE_LOCAL_LOGIN: 'true',
      }),
    ).toEqual({
      ok: true,
      config: {
        projectId: 'P2LocalStandInProject',
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
});
