import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceHandle } from '@memo/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NaverClient, NaverError } from '../src/naver.js';
import { startStub } from '@memo/testing/services';

let stub: ServiceHandle;
beforeAll(async () => {
  stub = await startStub();
});
afterAll(() => stub.close());

function client(base: string, timeoutMs = 1000): NaverClient {
  return new NaverClient({
    clientId: 'memo-local',
    clientSecret: 'memo-local-secret',
    tokenUrl: new URL(`${base}/oauth2.0/token`),
    profileUrl: new URL(`${base}/v1/nid/me`),
    revokeUrl: new URL(`${base}/oauth2.0/revoke`),
    timeoutMs,
  });
}

async function code(user: string): Promise<string> {
  const res = await fetch(`${stub.url}/oauth2.0/authorize`, {
    method: 'POST',
    body: new URLSearchParams({ user, state: 's', client_id: 'memo-local', redirect_uri: 'http://memo.test/cb' }),
    redirect: 'manual',
  });
  return new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
}

async function failure(promise: Promise<unknown>): Promise<NaverError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NaverError);
  return err as NaverError;
}

/** A one-off server answering every request with `status` and `body`. */
async function fixed(status: number, body: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('NaverClient', () => {
  it('exchanges a code once: a reused code is HTTP 200 with an error body', async () => {
    const naver = client(stub.url);
    const c = await code('kim');
    const { accessToken: token, refreshToken } = await naver.exchangeCode(c, 's', 'req-1');
    expect(token.length).toBeGreaterThan(10);
    expect(refreshToken?.length).toBeGreaterThan(10);
    const err = await failure(naver.exchangeCode(c, 's', 'req-2'));
    expect(err.code).toBe('token_rejected');
    expect(err.detail).toContain('no valid data in session');
    expect(await naver.profile(token, 'req-3')).toEqual({
      id: 'kMj5Lp9sRt2uVw6xYz0aBc3dEf7gHi1jKl4mNo8pQr2',
      name: '김민지',
      named: true,
    });
  });

  it('revokes a token: the profile is refused after it, and a second revoke is still fine', async () => {
    const naver = client(stub.url);
    const { accessToken, refreshToken } = await naver.exchangeCode(await code('lee'), 's', 'req-1');
    await naver.revoke(refreshToken ?? '', 'refresh_token', 'req-2');
    expect((await failure(naver.profile(accessToken, 'req-3'))).code).toBe('profile_rejected');
    await naver.revoke(refreshToken ?? '', 'refresh_token', 'req-4');
  });

  it.each([
    [400, '{"error":"invalid_request"}', 'revoke_rejected'],
    [401, '{"error":"invalid_client"}', 'revoke_rejected'],
    [503, '', 'naver_unavailable'],
  ])('reads revoke answer %i %s as %s', async (status, body, expected) => {
    const { url, server } = await fixed(status, body);
    try {
      expect((await failure(client(url).revoke('t', 'access_token', 'req'))).code).toBe(expected);
    } finally {
      server.close();
    }
  });

  it('rejects a profile call with a bad token (401, resultcode 024)', async () => {
    const err = await failure(client(stub.url).profile('not-a-token', 'req'));
    expect(err.code).toBe('profile_rejected');
    expect(err.detail).toContain('resultcode 024');
  });

  it.each([
    [200, '{"resultcode":"00","message":"success","response":{}}', 'profile_rejected'],
    [200, '{"resultcode":"01","message":"odd"}', 'profile_rejected'],
    [200, 'not json at all', 'profile_rejected'],
    [403, '{"resultcode":"403","message":"forbidden"}', 'profile_rejected'],
    [404, '{"resultcode":"404","message":"not found"}', 'profile_rejected'],
    [500, '{"resultcode":"500","message":"error"}', 'naver_unavailable'],
  ])('reads profile answer %i %s as %s', async (status, body, expected) => {
    const { url, server } = await fixed(status, body);
    try {
      expect((await failure(client(url).profile('t', 'req'))).code).toBe(expected);
    } finally {
      server.close();
    }
  });

  it.each([
    [200, '{"access_token":"abc","token_type":"bearer","expires_in":"3600"}', 'ok'],
    [200, '{"access_token":"abc","error":"invalid_request","error_description":"x"}', 'token_rejected'],
    [401, '{"error":"invalid_client","error_description":"bad"}', 'token_rejected'],
    [200, '{"token_type":"bearer"}', 'token_rejected'],
    [502, '<html>bad gateway</html>', 'naver_unavailable'],
  ])('reads token answer %i %s as %s', async (status, body, expected) => {
    const { url, server } = await fixed(status, body);
    try {
      const result = client(url).exchangeCode('c', 's', 'req');
      if (expected === 'ok') await expect(result).resolves.toEqual({ accessToken: 'abc' });
      else expect((await failure(result)).code).toBe(expected);
    } finally {
      server.close();
    }
  });
});
