import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger, memoKeys, sessionKey, sessionsKey, tagKey, type RedisClient, type Session } from '@memo/common';
import { AccountEraser } from '../../services/auth-service/src/account.js';
import type { NaverClient } from '../../services/auth-service/src/naver.js';
import type { NaverTokenStore } from '../../services/auth-service/src/tokens.js';
import { MemoStore, SessionEnded } from '@memo/store';
import { redisUrl, uniqueUser } from '@memo/testing/env';

/**
 * 회원 탈퇴 against a write in flight, made to land at the worst moment: right after the eraser
 * has read the user's tag list. An import that lands there with new tags left their tag sets
 * behind (a fresh-clone CI run found 49). The eraser now ends the sessions before it reads
 * anything, so every write after that is refused by its script's session check.
 */

let redis: Redis;
let writer: Redis;
beforeAll(() => {
  redis = new Redis(redisUrl());
  writer = new Redis(redisUrl());
});
afterAll(() => {
  redis.disconnect();
  writer.disconnect();
});

describe('회원 탈퇴 with a write landing in the middle of it', () => {
  it('leaves no key of the person, whatever lands after the eraser read their tags', async () => {
    const user = uniqueUser();
    const session: Session = { userId: user, sessionId: 's', expiresAt: 0, issuedAt: Math.floor(Date.now() / 1000) };
    // A session as auth-service makes one: the key, and its id in the user's index.
    await redis.set(sessionKey(user, session.sessionId), user, 'EX', 600);
    await redis.zadd(sessionsKey(user), Date.now(), session.sessionId);
    const store = new MemoStore(writer, { maxCount: 1_000, maxBytes: 1_000_000 });
    await store.add(session, '있던 메모 #태그0');
    let landed: unknown = 'not yet';
    // The eraser's Redis: when it reads the tag list, an import of the person lands first.
    const spied = new Proxy(redis, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (name !== 'zrange' || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (args[0] === memoKeys(user).tags && landed === 'not yet') {
            landed = await store
              .importMemos(
                session,
                Array.from({ length: 50 }, (_, i) => `가져온 메모 #태그${String(i)}`),
              )
              .catch((err: unknown) => err);
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as unknown as RedisClient;
    const naver = {} as NaverClient;
    const tokens = { load: () => Promise.resolve(null) } as unknown as NaverTokenStore;
    const eraser = new AccountEraser(spied, naver, tokens, createLogger('test', 'silent'), {
      aofRewriteSeconds: 600,
      sessionTtlSeconds: 600,
    });
    try {
      await eraser.erase(user, 'req');
    } finally {
      eraser.close();
    }
    expect(landed).toBeInstanceOf(SessionEnded);
    const left: string[] = [];
    for (let i = 0; i < 50; i++)
      if ((await redis.exists(tagKey(user, `태그${String(i)}`))) === 1) left.push(`태그${String(i)}`);
    for (const key of Object.values(memoKeys(user) as unknown as Record<string, string>)) {
      if ((await redis.exists(key)) === 1) left.push(key);
    }
    expect(left).toEqual([]);
  });
});
