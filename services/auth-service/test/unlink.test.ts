import type { ServiceHandle } from '@memo/common';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installOpenApiCheck } from '@memo/testing/openapi';
import { OPENAPI_FILE } from '../src/routes.js';
import { startRedis, type LocalRedis } from '@memo/stack';
import { unlinkNotice } from '../../naver-stub/src/unlink.js';
import { sessionKeys } from '@memo/testing/env';
import { sessionCookie, startAuth, startMemo, startStub } from '@memo/testing/services';

/**
 * Naver's unlink notice (연결끊기 Callback): a genuine one ends the person's sessions and deletes
 * (or keeps, as configured) their data; forged, stale, replayed or malformed ones change nothing.
 * On a Redis of its own: the stand-in's people are deleted here.
 */

const keys = sessionKeys();
const CLIENT = 'memo-local';
const SECRET = 'memo-local-secret';
const KIM = 'kMj5Lp9sRt2uVw6xYz0aBc3dEf7gHi1jKl4mNo8pQr2';
const LEE = 'lSj3Nq7wEr1tYu5iOp9aSd2fGh6jKl0zXc4vBn8mQw1';
let local: LocalRedis;
let redis: Redis;
let stub: ServiceHandle;
let auth: ServiceHandle;
let keeper: ServiceHandle;
let memo: ServiceHandle;

let restoreFetch: () => void = () => undefined;
beforeAll(async () => {
  // Every answer auth-service gives below is checked against its OpenAPI description.
  restoreFetch = installOpenApiCheck(OPENAPI_FILE, () => (auth as ServiceHandle | undefined)?.url ?? '');
  local = await startRedis();
  redis = new Redis(local.url);
  // The stand-in sends its notices to auth at its own port (set once auth is listening).
  auth = await startAuth(keys, 'http://127.0.0.1:9', { REDIS_URL: local.url });
  keeper = await startAuth(keys, 'http://127.0.0.1:9', { REDIS_URL: local.url, NAVER_UNLINK_ACTION: 'keep' });
  stub = await startStub({ NAVER_STUB_UNLINK_URL: `${auth.url}/naver/unlink` });
  memo = await startMemo(keys, { REDIS_URL: local.url });
});
afterAll(async () => {
  restoreFetch();
  await Promise.all([auth.close(), keeper.close(), memo.close(), stub.close()]);
  redis.disconnect();
  await local.stop();
});

/** A logged-in session of `userId` with one memo, made directly (the login itself is tested elsewhere). */
async function userWithMemo(userId: string): Promise<string> {
  const cookie = await sessionCookie(keys, userId, redis);
  const res = await fetch(`${memo.url}/`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ text: '지워질까 남을까' }),
  });
  expect(res.status).toBe(201);
  return cookie;
}

const send = (target: ServiceHandle, body: Record<string, string>): Promise<Response> =>
  fetch(`${target.url}/naver/unlink`, { method: 'POST', body: new URLSearchParams(body) });

const liveSession = async (cookie: string): Promise<boolean> =>
  (await fetch(`${memo.url}/`, { headers: { cookie } })).status === 200;

describe("Naver's unlink notice", () => {
  it('refuses forged, stale, wrong-client and malformed notices, changing nothing', async () => {
    const cookie = await userWithMemo(KIM);
    const now = Math.floor(Date.now() / 1000);
    const cases: [Record<string, string>, number, string][] = [
      [{ ...unlinkNotice(CLIENT, 'not-our-secret', KIM) }, 401, 'unlink_bad_signature'],
      [{ ...unlinkNotice(CLIENT, SECRET, KIM, now - 3_600) }, 401, 'unlink_stale'],
      [{ ...unlinkNotice(CLIENT, SECRET, KIM, now + 3_600) }, 401, 'unlink_stale'],
      [{ ...unlinkNotice('another-app', SECRET, KIM) }, 401, 'unlink_wrong_client'],
      [{ ...unlinkNotice(CLIENT, SECRET, KIM), signature: '' }, 400, 'unlink_malformed'],
      [{ clientId: CLIENT, encryptUniqueId: 'x', timestamp: 'soon', signature: 's' }, 400, 'unlink_malformed'],
      [{}, 400, 'unlink_malformed'],
    ];
    for (const [body, status, code] of cases) {
      const res = await send(auth, body);
      expect(res.status, code).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    // The signature covers the id: a notice whose id was changed on the way is refused.
    const genuine = unlinkNotice(CLIENT, SECRET, KIM);
    const tampered = { ...genuine, encryptUniqueId: genuine.encryptUniqueId.slice(0, -2) + 'AA' };
    expect((await send(auth, tampered)).status).toBe(401);
    expect(await liveSession(cookie)).toBe(true);
  });

  it('deletes the account on a genuine notice, sent by the stand-in, and refuses the same notice twice', async () => {
    const cookie = await userWithMemo(KIM);
    const page = await fetch(`${stub.url}/unlink`, { method: 'POST', body: new URLSearchParams({ user: 'kim' }) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('연동을 해제했습니다');
    expect(await liveSession(cookie)).toBe(false);
    expect(await redis.exists(`memo:${KIM}`)).toBe(0);

    const notice = unlinkNotice(CLIENT, SECRET, KIM);
    expect((await send(auth, { ...notice })).status).toBe(204);
    const again = await send(auth, { ...notice });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('unlink_replayed');

    // The same MAC spelled another way is the same notice (finding 6): the person who logged in
    // again keeps their account, whatever padding, stray character or alphabet is tried.
    const back = await userWithMemo(KIM);
    const sig = notice.signature;
    const standard = sig.replace(/-/g, '+').replace(/_/g, '/');
    const spellings = [`${sig}=`, `${sig}.`, ` ${sig}`, `${sig}==`, `${sig}\n`, standard, `${standard}=`];
    for (const signature of new Set(spellings)) {
      const res = await send(auth, { ...notice, signature });
      expect([400, 409], JSON.stringify(signature)).toContain(res.status);
    }
    expect(await liveSession(back)).toBe(true);
    expect(await redis.exists(`memo:${KIM}`)).toBe(1);
  });

  it('keeps the memos and ends every session when configured to keep', async () => {
    const cookie = await userWithMemo(LEE);
    expect((await send(keeper, { ...unlinkNotice(CLIENT, SECRET, LEE) })).status).toBe(204);
    expect(await liveSession(cookie)).toBe(false);
    expect(await redis.llen(`memo:${LEE}`)).toBe(1);
  });
});
