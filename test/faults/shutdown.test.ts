import type { ServiceHandle } from '@memo/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl, sessionKeys } from '@memo/testing/env';
import { spawnService } from '@memo/testing/process';
import { startStub } from '@memo/testing/services';

/**
 * SIGTERM: readiness turns false at once, the request in flight finishes, then the process
 * exits 0. The request in flight is a login that waits on a slow Naver (the stand-in's "slow"
 * person answers after 1.5 s).
 */

const keys = sessionKeys();
let stub: ServiceHandle;
beforeAll(async () => {
  stub = await startStub({ NAVER_STUB_SLOW_MS: '1500' });
});
afterAll(() => stub.close());

describe('graceful shutdown', () => {
  it('drains the request in flight, refuses readiness at once, and exits 0', async () => {
    const auth = await spawnService('auth-service', {
      REDIS_URL: redisUrl(),
      PUBLIC_URL: 'http://memo.test/',
      SESSION_PRIVATE_KEY: keys.privatePem,
      NAVER_CLIENT_ID: 'memo-local',
      NAVER_CLIENT_SECRET: 'memo-local-secret',
      NAVER_AUTHORIZE_URL: `${stub.url}/oauth2.0/authorize`,
      NAVER_TOKEN_URL: `${stub.url}/oauth2.0/token`,
      NAVER_PROFILE_URL: `${stub.url}/v1/nid/me`,
    });
    const login = await fetch(`${auth.url}/login`, { redirect: 'manual' });
    const authorize = new URL(login.headers.get('location') ?? '');
    const state = authorize.searchParams.get('state') ?? '';
    const picked = await fetch(`${stub.url}/oauth2.0/authorize`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({
        user: 'slow',
        state,
        client_id: 'memo-local',
        redirect_uri: 'http://memo.test/auth/callback',
      }),
    });
    const back = new URL(picked.headers.get('location') ?? '');

    const began = Date.now();
    const inFlight = fetch(`${auth.url}/callback${back.search}`, {
      redirect: 'manual',
      headers: { cookie: `oauth_state=${state}` },
    });
    await new Promise((r) => setTimeout(r, 300));
    const signalled = Date.now();
    auth.process.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 50));
    expect((await fetch(`${auth.adminUrl}/readyz`)).status).toBe(503);
    expect((await fetch(`${auth.adminUrl}/healthz`)).status).toBe(200);

    const res = await inFlight;
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://memo.test/');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('userId=ey'))).toBe(true);
    expect(await auth.exited).toBe(0);
    const drainMs = Date.now() - signalled;
    console.log(
      `shutdown: request in flight finished ${String(Date.now() - began)} ms after it began; exit ${String(drainMs)} ms after SIGTERM`,
    );
    expect(drainMs).toBeLessThan(5_000);
    await expect(fetch(`${auth.url}/me`)).rejects.toThrow();
  });
});
