import type { ServiceHandle } from '@memo/common';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installOpenApiCheck } from '@memo/testing/openapi';
import { OPENAPI_FILE } from '../src/routes.js';
import { freePort } from '@memo/stack';
import { startRedis } from '@memo/stack';
import { LOGIN_STATES_KEY as STATES_KEY, LOGIN_STATE_TIMES_KEY as STATE_TIMES_KEY } from '@memo/common';
import { redisClient, sessionKeys } from '@memo/testing/env';
import { startAuth, startMemo, startStub } from '@memo/testing/services';

const keys = sessionKeys();
let stub: ServiceHandle;
let auth: ServiceHandle;
let memo: ServiceHandle;
let redis: Redis;

let restoreFetch: () => void = () => undefined;
beforeAll(async () => {
  // Every answer auth-service gives below is checked against its OpenAPI description.
  restoreFetch = installOpenApiCheck(OPENAPI_FILE, () => (auth as ServiceHandle | undefined)?.url ?? '');
  stub = await startStub();
  auth = await startAuth(keys, stub.url);
  // memo-service verifies with the keys auth-service publishes, as in the cluster.
  memo = await startMemo(keys, { SESSION_PUBLIC_KEY: '', SESSION_JWKS_URL: `${auth.url}/jwks.json` });
  redis = redisClient();
});
afterAll(async () => {
  restoreFetch();
  await Promise.all([auth.close(), memo.close(), stub.close()]);
  redis.disconnect();
});

const cookieValue = (res: Response, name: string): string | undefined => {
  for (const header of res.headers.getSetCookie()) {
    const [pair] = header.split(';');
    if (pair?.startsWith(`${name}=`)) return pair.slice(name.length + 1);
  }
  return undefined;
};

interface Started {
  state: string;
  stateCookie: string;
  authorize: URL;
}

async function startLogin(service = auth, query = ''): Promise<Started> {
  const res = await fetch(`${service.url}/login${query}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const authorize = new URL(res.headers.get('location') ?? '');
  const state = authorize.searchParams.get('state') ?? '';
  return { state, stateCookie: cookieValue(res, 'oauth_state') ?? '', authorize };
}

/** Picks a test user on the stand-in's page and returns where Naver sends the browser back. */
async function pickUser(started: Started, user: string): Promise<URL> {
  const form = new URLSearchParams({
    user,
    state: started.state,
    client_id: started.authorize.searchParams.get('client_id') ?? '',
    redirect_uri: started.authorize.searchParams.get('redirect_uri') ?? '',
  });
  const res = await fetch(`${stub.url}/oauth2.0/authorize`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '');
}

async function callback(back: URL, stateCookie: string | undefined, service = auth): Promise<Response> {
  return fetch(`${service.url}/callback${back.search}`, {
    redirect: 'manual',
    headers: stateCookie === undefined ? {} : { cookie: `oauth_state=${stateCookie}` },
  });
}

async function login(user: string, service = auth): Promise<{ res: Response; session?: string }> {
  const started = await startLogin(service);
  const res = await callback(await pickUser(started, user), started.stateCookie, service);
  return { res, session: cookieValue(res, 'userId') };
}

function expectFailure(res: Response, reason: string): void {
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toBe(`http://memo.test/?login_error=${reason}`);
  expect(cookieValue(res, 'userId') ?? '').toBe('');
}

async function me(session: string | undefined): Promise<Response> {
  return fetch(`${auth.url}/me`, { headers: { cookie: `userId=${session ?? ''}` } });
}

describe('Naver login', () => {
  it('sends the browser to Naver with a fresh state bound to a cookie', async () => {
    const a = await startLogin();
    const b = await startLogin();
    expect(a.authorize.origin + a.authorize.pathname).toBe(`${stub.url}/oauth2.0/authorize`);
    expect(a.authorize.searchParams.has('auth_type')).toBe(false);
    const again = await startLogin(auth, '?reprompt=1');
    expect(again.authorize.searchParams.get('auth_type')).toBe('reprompt');
    expect(a.authorize.searchParams.get('response_type')).toBe('code');
    expect(a.authorize.searchParams.get('redirect_uri')).toBe('http://memo.test/auth/callback');
    expect(a.state).toMatch(/^[\w-]{32}$/);
    expect(a.state).not.toBe(b.state);
    expect(a.stateCookie).toBe(a.state);
    // Short-lived and small: the path to return to, here none.
    expect(await redis.ttl(STATES_KEY)).toBeGreaterThan(250);
    expect(await redis.ttl(STATES_KEY)).toBeLessThanOrEqual(300);
    expect(await redis.hget(STATES_KEY, a.state)).toBe('');
    expect(Number(await redis.zscore(STATE_TIMES_KEY, a.state))).toBeGreaterThan(Date.now() - 60_000);
  });

  it('logs in, greets by name, and logs out for real', async () => {
    const { res, session } = await login('hong');
    expect(res.headers.get('location')).toBe('http://memo.test/');
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('userId='));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/);
    expect(session).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    const who = await me(session);
    expect(who.status).toBe(200);
    expect(await who.json()).toEqual({ id: 'hGd7Qk2nZ0vXo3mPq8rTs1uVw4yAbCdEfGhIjKlMnOp', name: '홍길동' });
    expect((await fetch(memo.url, { headers: { cookie: `userId=${session ?? ''}` } })).status).toBe(200);

    const out = await fetch(`${auth.url}/logout`, { method: 'POST', headers: { cookie: `userId=${session ?? ''}` } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().find((c) => c.startsWith('userId='))).toMatch(/Max-Age=0/);
    // The old cookie, replayed by hand, is refused everywhere.
    expect((await me(session)).status).toBe(401);
    expect((await fetch(memo.url, { headers: { cookie: `userId=${session ?? ''}` } })).status).toBe(401);
  });

  it('falls back to the nickname, then a neutral label, and keeps numeric ids as strings', async () => {
    const park = await login('park');
    expect(await (await me(park.session)).json()).toMatchObject({ name: '지민' });
    const anon = await login('anon');
    expect(await (await me(anon.session)).json()).toMatchObject({ name: '네이버 사용자', nameDeclined: true });
    expect(await (await me(park.session)).json()).not.toHaveProperty('nameDeclined');
    const choi = await login('choi');
    expect(await (await me(choi.session)).json()).toEqual({ id: '12345678', name: '최오래' });
  });

  it('greets a user of the original app by the name it stored under the bare id', async () => {
    const { session } = await login('lee');
    const id = 'lSj3Nq7wEr1tYu5iOp9aSd2fGh6jKl0zXc4vBn8mQw1';
    await redis.del(`user:${id}`);
    await redis.set(id, '옛날 이름');
    expect(await (await me(session)).json()).toEqual({ id, name: '옛날 이름' });
    await redis.del(id);
  });

  it('refuses a missing, wrong, replayed or expired state and sets no session', async () => {
    const started = await startLogin();
    const back = await pickUser(started, 'hong');
    expectFailure(await callback(back, undefined), 'invalid_state');
    expectFailure(await callback(back, 'wrong-state-value-xxxxxxxxxxxxxx'), 'invalid_state');
    const noState = new URL(back);
    noState.searchParams.delete('state');
    expectFailure(await callback(noState, started.stateCookie), 'invalid_state');

    const fresh = await startLogin();
    const freshBack = await pickUser(fresh, 'hong');
    expect((await callback(freshBack, fresh.stateCookie)).headers.get('location')).toBe('http://memo.test/');
    expectFailure(await callback(freshBack, fresh.stateCookie), 'invalid_state');

    const expired = await startLogin();
    const expiredBack = await pickUser(expired, 'hong');
    await redis.hdel(STATES_KEY, expired.state);
    await redis.zrem(STATE_TIMES_KEY, expired.state);
    expectFailure(await callback(expiredBack, expired.stateCookie), 'invalid_state');
  });

  it('returns the person to the page when they cancel at Naver', async () => {
    const started = await startLogin();
    const back = await pickUser(started, '__cancel');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expectFailure(await callback(back, started.stateCookie), 'access_denied');
    // The state was consumed too.
    expect(await redis.hexists(STATES_KEY, started.state)).toBe(0);
    expect(await redis.zscore(STATE_TIMES_KEY, started.state)).toBeNull();
  });

  it.each([
    ['token_error', 'naver_error'],
    ['token_500', 'naver_unavailable'],
    ['profile_024', 'naver_error'],
    ['profile_500', 'naver_unavailable'],
  ])('turns Naver failure %s into login_error=%s', async (scenario, reason) => {
    const { res } = await login(scenario);
    expectFailure(res, reason);
  });

  it('gives up on a slow Naver after its timeout', async () => {
    const began = Date.now();
    const { res } = await login('slow');
    expectFailure(res, 'naver_unavailable');
    expect(Date.now() - began).toBeLessThan(2_900);
  });

  it('reports Naver down when nothing answers', async () => {
    const closed = await freePort();
    const down = await startAuth(keys, `http://127.0.0.1:${closed}`);
    try {
      const started = await startLogin(down);
      const back = new URL('http://memo.test/auth/callback');
      back.searchParams.set('code', 'whatever');
      back.searchParams.set('state', started.state);
      expectFailure(await callback(back, started.stateCookie, down), 'naver_unavailable');
    } finally {
      await down.close();
    }
  });

  it('marks the cookie Secure and scopes it to the base path behind https', async () => {
    const secure = await startAuth(keys, stub.url, { PUBLIC_URL: 'https://memo.example/notes' });
    try {
      const started = await startLogin(secure);
      expect(started.authorize.searchParams.get('redirect_uri')).toBe('https://memo.example/notes/auth/callback');
      const res = await callback(await pickUser(started, 'kim'), started.stateCookie, secure);
      expect(res.headers.get('location')).toBe('https://memo.example/notes/');
      const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('userId='));
      expect(setCookie).toMatch(/; Secure/);
      expect(setCookie).toMatch(/Path=\/notes\//);
    } finally {
      await secure.close();
    }
  });

  it('publishes the public key that verifies its sessions, and nothing private', async () => {
    const res = await fetch(`${auth.url}/jwks.json`);
    expect(res.status).toBe(200);
    const { keys: published } = (await res.json()) as { keys: Record<string, string>[] };
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(published[0]?.d).toBeUndefined();
    const { session } = await login('kim');
    const [header] = (session ?? '').split('.');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toMatchObject({ kid: published[0]?.kid });
  });

  it('returns to a local `next` path after login, and never to another site', async () => {
    const local = await startLogin(auth, `?next=${encodeURIComponent('/?view=all#top')}`);
    const back = await callback(await pickUser(local, 'kim'), local.stateCookie);
    expect(back.headers.get('location')).toBe('http://memo.test/?view=all#top');
    for (const next of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      '/ /x',
      'x',
    ]) {
      const started = await startLogin(auth, `?next=${encodeURIComponent(next)}`);
      const res = await callback(await pickUser(started, 'kim'), started.stateCookie);
      expect(res.headers.get('location'), next).toBe('http://memo.test/');
    }
  });

  it('limits logins per client across replicas, believing only the proxy it trusts', async () => {
    // Behind one trusted proxy (the ingress), which appends the address it saw last.
    const limited = [
      await startAuth(keys, stub.url, { LOGIN_RATE_LIMIT: '3', TRUST_PROXY: '1' }),
      await startAuth(keys, stub.url, { LOGIN_RATE_LIMIT: '3', TRUST_PROXY: '1' }),
    ];
    const start = (replica: number, forwardedFor: string): Promise<Response> =>
      fetch(`${limited[replica % 2]?.url ?? ''}/login`, {
        redirect: 'manual',
        headers: { 'x-forwarded-for': forwardedFor },
      });
    const refused = (res: Response): boolean =>
      res.status === 302 && res.headers.get('location') === 'http://memo.test/?login_error=rate_limited';
    try {
      const client = `203.0.113.${String(Math.floor(Math.random() * 250))}`;
      const outcomes: boolean[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 5; i++) {
        // What the client puts in front is its own to invent: only the proxy's entry counts.
        last = await start(i, `10.0.0.${String(i)}, 198.51.100.${String(i)}, ${client}`);
        outcomes.push(refused(last));
      }
      expect(outcomes).toEqual([false, false, false, true, true]);
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(last?.headers.getSetCookie().some((c) => c.startsWith('oauth_state=') && !c.includes('Max-Age=0'))).toBe(
        false,
      );
      expect(refused(await start(0, '198.51.100.7'))).toBe(false);

      // IPv6 clients count by their /64: a new address in the same network is the same client.
      const net = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`;
      const v6 = [`${net}::1`, `${net}::2`, `${net}:ffff:ffff:ffff:ffff`, `${net}::abcd`];
      const v6outcomes: boolean[] = [];
      for (const [i, address] of v6.entries()) v6outcomes.push(refused(await start(i, address)));
      expect(v6outcomes).toEqual([false, false, false, true]);
      expect(refused(await start(0, `${net.slice(0, -1)}2::1`))).toBe(false);
    } finally {
      await Promise.all(limited.map((s) => s.close()));
    }

    // Without a trusted proxy the peer is the client, whatever X-Forwarded-For says. (A Redis of
    // its own: the peer is 127.0.0.1, as it is for other tests that start logins meanwhile.)
    const own = await startRedis();
    const direct = await startAuth(keys, stub.url, { LOGIN_RATE_LIMIT: '3', REDIS_URL: own.url });
    try {
      const outcomes: boolean[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${direct.url}/login`, {
          redirect: 'manual',
          headers: { 'x-forwarded-for': `192.0.2.${String(i)}` },
        });
        outcomes.push(refused(res));
      }
      expect(outcomes).toEqual([false, false, false, true]);
    } finally {
      await direct.close();
      await own.stop();
    }
  });

  it('bounds the login state by size: many addresses push out the oldest logins, nobody is locked out', async () => {
    // A Redis of its own: the count is everyone's, and other tests start logins too. A global
    // rate limit refused every new client once ~40 addresses had used their share (finding 8).
    const own = await startRedis();
    const bounded = await startAuth(keys, stub.url, {
      REDIS_URL: own.url,
      LOGIN_STATE_MAX: '50',
      LOGIN_RATE_LIMIT: '30',
      TRUST_PROXY: '1',
    });
    const check = new Redis(own.url);
    try {
      const start = async (address: string): Promise<string> => {
        const res = await fetch(`${bounded.url}/login`, {
          redirect: 'manual',
          headers: { 'x-forwarded-for': address },
        });
        return new URL(res.headers.get('location') ?? '').searchParams.get('login_error') ?? 'naver';
      };
      // 45 addresses, each at its limit: 1,350 logins started within the minute.
      const outcomes: string[] = [];
      for (let a = 0; a < 45; a++) {
        const address = `198.51.100.${String(a + 1)}`;
        const round = await Promise.all(Array.from({ length: 30 }, () => start(address)));
        outcomes.push(...round);
      }
      expect(outcomes.filter((o) => o !== 'naver')).toEqual([]);
      // The 31st from one address is still refused: the per-client limit stays.
      expect(await start('198.51.100.1')).toBe('rate_limited');
      // Someone new still gets to Naver, and the state kept is at most the bound.
      expect(await start('203.0.113.7')).toBe('naver');
      expect(await check.zcard(STATE_TIMES_KEY)).toBeLessThanOrEqual(50);
      expect(await check.hlen(STATES_KEY)).toBeLessThanOrEqual(50);
      // And the newest logins finish: theirs was never pushed out.
      const fresh = await startLogin(bounded);
      expect((await callback(await pickUser(fresh, 'hong'), fresh.stateCookie, bounded)).headers.get('location')).toBe(
        'http://memo.test/',
      );
    } finally {
      check.disconnect();
      await bounded.close();
      await own.stop();
    }
  });

  it('keeps at most SESSION_MAX_PER_USER sessions of a user, signing the oldest out', async () => {
    const few = await startAuth(keys, stub.url, { SESSION_MAX_PER_USER: '2' });
    try {
      const sessions: (string | undefined)[] = [];
      for (let i = 0; i < 3; i++) sessions.push((await login('lee', few)).session);
      const status = async (session: string | undefined): Promise<number> =>
        (await fetch(`${few.url}/me`, { headers: { cookie: `userId=${session ?? ''}` } })).status;
      expect(await Promise.all(sessions.map(status))).toEqual([401, 200, 200]);
    } finally {
      await few.close();
    }
  });

  it('refuses a logout posted from another site', async () => {
    const { session } = await login('kim');
    const res = await fetch(`${auth.url}/logout`, {
      method: 'POST',
      headers: { cookie: `userId=${session ?? ''}`, 'sec-fetch-site': 'cross-site' },
    });
    expect(res.status).toBe(403);
    expect((await me(session)).status).toBe(200);
  });

  it('answers who-am-I and logout without a session cleanly', async () => {
    const res = await me(undefined);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: 'Not logged in' } });
    expect((await fetch(`${auth.url}/logout`, { method: 'POST' })).status).toBe(204);
  });

  it('tells the page who is logged in, or that nobody is, without an error', async () => {
    const nobody = await fetch(`${auth.url}/session`);
    expect(nobody.status).toBe(200);
    expect(await nobody.json()).toEqual({ user: null });
    const { session } = await login('kim');
    const someone = await fetch(`${auth.url}/session`, { headers: { cookie: `userId=${session ?? ''}` } });
    expect(someone.headers.get('cache-control')).toBe('no-store');
    const person = (await (await me(session)).json()) as { id: string; name: string };
    expect(await someone.json()).toEqual({ user: person });
    await fetch(`${auth.url}/logout`, { method: 'POST', headers: { cookie: `userId=${session ?? ''}` } });
    const ended = await fetch(`${auth.url}/session`, { headers: { cookie: `userId=${session ?? ''}` } });
    expect(await ended.json()).toEqual({ user: null });
  });
});
