import { getSessionToken } from '@descope/react-sdk';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fetchRoleData, fetchRoles } from './client';

// Outside an AuthProvider there is no SDK session to read the token from, so
// this unit test supplies it; the page tests cover the real SDK's token.
vi.mock('@descope/react-sdk', () => ({ getSessionToken: vi.fn() }));

const fetchMock = vi.fn<typeof fetch>();

beforeEach(() => {
  fetchMock.mockReset();
  vi.mocked(getSessionToken).mockReturnValue('header.payload.signature');
  vi.stubGlobal('fetch', fetchMock);
});

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('API client', () => {
  it('calls the relative endpoint with the session token as a Bearer token', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { secretMessage: 's', roles: ['teacher'] }));

    await expect(fetchRoles()).resolves.toEqual({
      kind: 'ok',
      data: { secretMessage: 's', roles: ['teacher'] },
    });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/get_roles');
    expect(new Headers(init?.headers).get('Authorization')).toBe('Bearer header.payload.signature');
  });

  it('parses the role data', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { valid_teacher: false, valid_student: true }));

    await expect(fetchRoleData()).resolves.toEqual({
      kind: 'ok',
      data: { valid_teacher: false, valid_student: true },
    });
    expect(fetchMock.mock.calls[0]![0]).toBe('/get_role_data');
  });

  it('maps 401 to unauthorized and 503 to auth-unavailable', async () => {
    fetchMock.mockResolvedValueOnce(json(401, { error: '❌ invalid session token!' }));
    await expect(fetchRoles()).resolves.toEqual({ kind: 'unauthorized' });

    fetchMock.mockResolvedValueOnce(json(503, { error: 'authentication service unavailable' }));
    await expect(fetchRoles()).resolves.toEqual({ kind: 'auth-unavailable' });
  });

  it("reads a 503's Retry-After, in seconds, as when to ask again", async () => {
    const unavailable = (retryAfter: string) =>
      new Response(JSON.stringify({ error: 'authentication service unavailable' }), {
        status: 503,
        headers: { 'Content-Type': 'application/json', 'Retry-After': retryAfter },
      });

    fetchMock.mockResolvedValueOnce(unavailable('20'));
    await expect(fetchRoles()).resolves.toEqual({ kind: 'auth-unavailable', retryAfterSeconds: 20 });

    // An HTTP date or garbage says nothing usable about when: the plain 503.
    for (const odd of ['Wed, 21 Oct 2026 07:28:00 GMT', '-5', '1.5', '']) {
      fetchMock.mockResolvedValueOnce(unavailable(odd));
      await expect(fetchRoles()).resolves.toEqual({ kind: 'auth-unavailable' });
    }
  });

  it('maps other statuses, network failures and odd bodies to a readable failure', async () => {
    fetchMock.mockResolvedValueOnce(json(502, { message: 'Bad Gateway' }));
    await expect(fetchRoles()).resolves.toEqual({
      kind: 'failed',
      message: 'The server answered with an error (HTTP 502).',
    });

    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(fetchRoles()).resolves.toMatchObject({ kind: 'failed' });

    fetchMock.mockResolvedValueOnce(new Response('<html>', { status: 200 }));
    await expect(fetchRoles()).resolves.toEqual({
      kind: 'failed',
      message: 'The server sent a response that could not be read.',
    });

    fetchMock.mockResolvedValueOnce(json(200, { secretMessage: 's', roles: [1] }));
    await expect(fetchRoles()).resolves.toEqual({
      kind: 'failed',
      message: 'The server sent a response in an unexpected format.',
    });
  });

  it('does not call the API without a session token', async () => {
    vi.mocked(getSessionToken).mockReturnValue('');

    await expect(fetchRoleData()).resolves.toEqual({ kind: 'unauthorized' });
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('lets an aborted request reject so a page that moved on ignores it', async () => {
    const controller = new AbortController();
    fetchMock.mockImplementationOnce(() => {
      controller.abort();
      return Promise.reject(new DOMException('Aborted', 'AbortError'));
    });

    await expect(fetchRoles(controller.signal)).rejects.toThrow('Aborted');
  });
});
