import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError, memoKeys, sessionKey, sessionsEndedKey, type Session } from '@memo/common';
import type { Redis } from 'ioredis';
import { Admission } from '../src/admission.js';
import { Scripts } from '@memo/store';
import { redisClient, uniqueUser } from '@memo/testing/env';

/** Heavy requests (export, import, rename): one per user on any replica, a few per process. */

let redis: Redis;
let scripts: Scripts;
beforeAll(() => {
  redis = redisClient();
  scripts = new Scripts(redis);
});
afterAll(() => redis.disconnect());

async function session(legacy = false): Promise<Session> {
  const user = uniqueUser();
  const s: Session = {
    userId: user,
    sessionId: `s-${user}`,
    expiresAt: 0,
    issuedAt: Math.floor(Date.now() / 1000) - 5,
  };
  if (legacy) return { ...s, legacy: true };
  await redis.set(sessionKey(user, s.sessionId), user, 'EX', 60);
  return s;
}

const refusal = async (work: Promise<unknown>): Promise<{ status: number; code: string; retry?: string }> => {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof HttpError)) throw new Error(`expected a refusal, got ${String(err)}`);
  return { status: err.status, code: err.code, retry: err.headers['Retry-After'] };
};

describe('Admission', () => {
  it('lets one heavy request of a user in at a time and gives the place back', async () => {
    const admission = new Admission(scripts, 4, 10_000);
    const s = await session();
    const leave = await admission.enter(s);
    expect(await redis.pttl(memoKeys(s.userId).busy)).toBeGreaterThan(9_000);
    expect(await refusal(admission.enter(s))).toEqual({ status: 429, code: 'busy', retry: '5' });
    // Another process (replica) sees the same hold.
    expect((await refusal(new Admission(scripts, 4, 10_000).enter(s))).status).toBe(429);
    await leave();
    await leave(); // twice is once
    expect(await redis.exists(memoKeys(s.userId).busy)).toBe(0);
    expect(admission.inFlight).toBe(0);
    await (
      await admission.enter(s)
    )();
  });

  it('runs at most perProcess at once for everybody, refusing the next at once', async () => {
    const admission = new Admission(scripts, 2, 10_000);
    const [a, b, c] = [await session(), await session(), await session()];
    const leaveA = await admission.enter(a);
    const leaveB = await admission.enter(b);
    expect(await refusal(admission.enter(c))).toMatchObject({ status: 429, code: 'busy' });
    // The refused one took no hold: it may run elsewhere or later.
    expect(await redis.exists(memoKeys(c.userId).busy)).toBe(0);
    await leaveA();
    await (
      await admission.enter(c)
    )();
    await leaveB();
    expect(admission.inFlight).toBe(0);
  });

  it('takes no hold for a session that ended (nothing of a deleted user is made again)', async () => {
    const admission = new Admission(scripts, 2, 10_000);
    const s = await session();
    await redis.del(sessionKey(s.userId, s.sessionId));
    expect(await refusal(admission.enter(s))).toMatchObject({ status: 401 });
    const legacy = await session(true);
    await redis.set(sessionsEndedKey(legacy.userId), String(Date.now()), 'EX', 60);
    expect(await refusal(admission.enter(legacy))).toMatchObject({ status: 401 });
    for (const x of [s, legacy]) expect(await redis.exists(memoKeys(x.userId).busy)).toBe(0);
    expect(admission.inFlight).toBe(0);
  });
});
