import { describe, expect, it, vi } from 'vitest';
import type { ConfigEnv } from './config';
import { STAND_IN_PROJECT_ID } from './localStandIn';
import { loadStartupConfig } from './startupConfig';

const LOCAL_RUN_SETTINGS: ConfigEnv = {
  VITE_DESCOPE_PROJECT_ID: STAND_IN_PROJECT_ID,
  VITE_DESCOPE_BASE_URL: 'http://127.0.0.1:8787',
  VITE_DESCOPE_LOCAL_LOGIN: 'true',
};

const LOCAL_RUN_CONFIG = {
  ok: true,
  config: {
    projectId: STAND_IN_PROJECT_ID,
    baseUrl: 'http://127.0.0.1:8787',
    localLogin: true,
  },
};

function serveConfigJson(respond: () => Response | Promise<Response>) {
  const fetchMock = vi.fn<typeof fetch>(async () => respond());
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

const json = (body: string, status = 200) =>
  new Response(body, { status, headers: { 'Content-Type': 'application/json' } });

const html = (status = 200) =>
  new Response('<!doctype html><html><body><div id="root"></div></body></html>', {
    status,
    headers: { 'Content-Type': 'text/html' },
  });

describe('start-up configuration', () => {
  it('asks the site for /config.json, never from a cache', async () => {
    const fetchMock = serveConfigJson(() => json('{"projectId": "P2abc", "baseUrl": ""}'));

    await loadStartupConfig(LOCAL_RUN_SETTINGS);

    expect(fetchMock).toHaveBeenCalledOnce();
    expect(fetchMock).toHaveBeenCalledWith(
      '/config.json',
      expect.objectContaining({ cache: 'no-store' }),
    );
  });

  it('uses the deployed config.json over the build-time settings', async () => {
    serveConfigJson(() => json('{"projectId": "P2abc", "baseUrl": "https://auth.example.com"}'));

    expect(await loadStartupConfig(LOCAL_RUN_SETTINGS)).toEqual({
      ok: true,
      config: { projectId: 'P2abc', baseUrl: 'https://auth.example.com', localLogin: false },
    });
  });

  it('reads an empty baseUrl as Descope cloud', async () => {
    serveConfigJson(() => json('{"projectId": "P2abc", "baseUrl": ""}'));

    expect(await loadStartupConfig({})).toEqual({
      ok: true,
      config: { projectId: 'P2abc', baseUrl: undefined, localLogin: false },
    });
  });

  it.each([
    ['a 404', () => json('{"message": "Not Found"}', 404)],
    ['a 403 (a private bucket without the object)', () => html(403)],
    ['a server error', () => json('{}', 503)],
    ['the app page instead (a dev server or SPA fallback)', () => html()],
    ['a page with no content type that is not JSON', () => new Response('<html></html>')],
  ])('falls back to the build-time settings on %s', async (_case, respond) => {
    serveConfigJson(respond);

    expect(await loadStartupConfig(LOCAL_RUN_SETTINGS)).toEqual(LOCAL_RUN_CONFIG);
  });

  it('falls back to the build-time settings when the request fails', async () => {
    serveConfigJson(() => Promise.reject(new TypeError('Failed to fetch')));

    expect(await loadStartupConfig(LOCAL_RUN_SETTINGS)).toEqual(LOCAL_RUN_CONFIG);
  });

  it('falls back to the build-time settings when the body breaks off', async () => {
    const brokenBody = new ReadableStream({
      start: (controller) => controller.error(new TypeError('network error')),
    });
    serveConfigJson(
      () => new Response(brokenBody, { headers: { 'Content-Type': 'application/json' } }),
    );

    expect(await loadStartupConfig(LOCAL_RUN_SETTINGS)).toEqual(LOCAL_RUN_CONFIG);
  });

  it('keeps the build-time rules on the fallback', async () => {
    serveConfigJson(() => html());

    expect(await loadStartupConfig({})).toEqual({
      ok: false,
      problem: { kind: 'missing-project-id' },
    });
  });

  it('reports a config.json that is JSON but unusable, instead of falling back', async () => {
    serveConfigJson(() => json('{"projectId": "", "baseUrl": ""}'));

    expect(await loadStartupConfig(LOCAL_RUN_SETTINGS)).toEqual({
      ok: false,
      problem: { kind: 'invalid-config-json', reason: { kind: 'missing-project-id' } },
    });
  });

  it('reports a config.json with a base URL that is not http(s)', async () => {
    serveConfigJson(() => json('{"projectId": "P2abc", "baseUrl": "ftp://auth.example.com"}'));

    expect(await loadStartupConfig(LOCAL_RUN_SETTINGS)).toEqual({
      ok: false,
      problem: {
        kind: 'invalid-config-json',
        reason: { kind: 'invalid-base-url', value: 'ftp://auth.example.com' },
      },
    });
  });

  it('reports a config.json of the wrong shape', async () => {
    serveConfigJson(() => json('["P2abc"]'));

    expect(await loadStartupConfig(LOCAL_RUN_SETTINGS)).toEqual({
      ok: false,
      problem: { kind: 'invalid-config-json', reason: { kind: 'not-a-settings-object' } },
    });
  });

  it('reports a config.json served as JSON that does not parse', async () => {
    serveConfigJson(() => json('{"projectId": "P2abc",'));

    expect(await loadStartupConfig(LOCAL_RUN_SETTINGS)).toEqual({
      ok: false,
      problem: { kind: 'invalid-config-json', reason: { kind: 'not-json' } },
    });
  });
});
