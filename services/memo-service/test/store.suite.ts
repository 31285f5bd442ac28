import type { RedisClient, RedisWhere } from '@memo/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createRedis, sessionKey, waitReady } from '@memo/common';
import { MemoStore, decode, legacyId, memoKey } from '../src/store.js';
import { uniqueUser } from '../../../test/support/env.js';

/** The store's behaviour, run against one Redis (store.test.ts) and a Redis Cluster (cluster.test.ts). */
export function storeSuite(where: () => RedisWhere): void {
  let redis: RedisClient;
  let store: MemoStore;

  beforeAll(async () => {
    redis = createRedis(where(), createLogger('test', 'silent'));
    await waitReady(redis);
    store = new MemoStore(redis);
  });
  afterAll(() => redis.disconnect());

  describe('MemoStore', () => {
    it('lists newest first and pages with a stable cursor while new memos arrive', async () => {
      const user = uniqueUser();
      for (let i = 1; i <= 25; i++) await store.add(user, `memo ${i}`);
      const first = await store.list(user, 10);
      expect(first.memos.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `memo ${25 - i}`));
      expect(first.nextCursor).toBe('15');
      // A memo added between pages must not shift the next page.
      await store.add(user, 'memo 26');
      const second = await store.list(user, 10, Number(first.nextCursor));
      expect(second.memos.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `memo ${15 - i}`));
      const third = await store.list(user, 10, Number(second.nextCursor));
      expect(third.memos.map((m) => m.text)).toEqual(['memo 5', 'memo 4', 'memo 3', 'memo 2', 'memo 1']);
      expect(third.nextCursor).toBeNull();
    });

    it('pages a session’s memos only while that session lives, in one command', async () => {
      const user = uniqueUser();
      const session = { userId: user, sessionId: `s-${user}`, expiresAt: Math.floor(Date.now() / 1000) + 60 };
      for (const text of ['a', 'b', 'c']) await store.add(user, text);
      // No session key: not live, nothing returned.
      await expect(store.listIfLive(session, 2)).resolves.toBeNull();
      await redis.set(sessionKey(session.sessionId), user, 'EX', 60);
      const page = await store.listIfLive(session, 2);
      expect(page?.memos.map((m) => m.text)).toEqual(['c', 'b']);
      expect(page).toEqual(await store.list(user, 2));
      await expect(store.listIfLive(session, 2, Number(page?.nextCursor))).resolves.toEqual(
        await store.list(user, 2, Number(page?.nextCursor)),
      );
      // A session key naming someone else (or a logout) is not this user's session.
      await redis.set(sessionKey(session.sessionId), uniqueUser(), 'EX', 60);
      await expect(store.listIfLive(session, 2)).resolves.toBeNull();
      await redis.del(sessionKey(session.sessionId));
      await expect(store.listIfLive(session, 2)).resolves.toBeNull();
    });

    it('returns an empty page for a user without memos', async () => {
      await expect(store.list(uniqueUser(), 20)).resolves.toEqual({ memos: [], nextCursor: null });
    });

    it('edits a memo in place, keeping its id and creation time', async () => {
      const user = uniqueUser();
      const a = await store.add(user, 'first');
      const b = await store.add(user, 'second');
      const edited = await store.update(user, a.id, '고친 메모 ✏️', new Date('2030-01-01T00:00:00Z'));
      expect(edited).toEqual({
        id: a.id,
        text: '고친 메모 ✏️',
        createdAt: a.createdAt,
        updatedAt: '2030-01-01T00:00:00.000Z',
      });
      const page = await store.list(user, 10);
      expect(page.memos.map((m) => m.id)).toEqual([b.id, a.id]);
      expect(page.memos[1]).toEqual(edited);
    });

    it('deletes exactly one memo, and a second delete finds nothing', async () => {
      const user = uniqueUser();
      const a = await store.add(user, 'same');
      const b = await store.add(user, 'same');
      expect(await store.remove(user, a.id)).toBe(true);
      expect(await store.remove(user, a.id)).toBe(false);
      expect((await store.list(user, 10)).memos.map((m) => m.id)).toEqual([b.id]);
    });

    it('never reaches another user’s memo', async () => {
      const owner = uniqueUser();
      const other = uniqueUser();
      const memo = await store.add(owner, 'private');
      expect(await store.update(other, memo.id, 'hijacked')).toBeNull();
      expect(await store.remove(other, memo.id)).toBe(false);
      expect((await store.list(owner, 10)).memos).toEqual([memo]);
    });

    it('reads, edits and deletes plain-string memos the original app wrote', async () => {
      const user = uniqueUser();
      // The original: LPUSH memo:<userId> text, newest first.
      await redis.lpush(memoKey(user), '오래된 메모 1', '{"looks":"like json"}', '오래된 메모 3');
      const page = await store.list(user, 10);
      expect(page.memos.map((m) => m.text)).toEqual(['오래된 메모 3', '{"looks":"like json"}', '오래된 메모 1']);
      expect(page.memos.every((m) => m.createdAt === null && m.id === legacyId(m.text))).toBe(true);

      const target = page.memos[1];
      expect(target).toBeDefined();
      const edited = await store.update(user, target?.id ?? '', 'now edited');
      expect(edited?.text).toBe('now edited');
      expect(await store.remove(user, page.memos[0]?.id ?? '')).toBe(true);
      const after = await store.list(user, 10);
      expect(after.memos.map((m) => m.text)).toEqual(['now edited', '오래된 메모 1']);
      // The edited entry is now in the new shape; the untouched one is byte-for-byte as it was.
      expect(await redis.lindex(memoKey(user), 1)).toBe('오래된 메모 1');
    });

    it('keeps Korean, emoji and control characters byte for byte', async () => {
      const user = uniqueUser();
      const text = '한글 메모 🙂👍🏽 "quotes" \\ back\\slash \n\t line\u0000nul 𝄞';
      const memo = await store.add(user, text);
      expect((await store.list(user, 1)).memos[0]?.text).toBe(text);
      const edited = await store.update(user, memo.id, `${text} ✔`);
      expect(edited?.text).toBe(`${text} ✔`);
      const raw = await redis.lindex(memoKey(user), 0);
      expect(decode(raw ?? '').text).toBe(`${text} ✔`);
    });

    it('finds an entry deep in a long list', async () => {
      const user = uniqueUser();
      const oldest = await store.add(user, 'oldest');
      const filler = Array.from({ length: 1500 }, (_, i) => `filler ${i}`);
      await redis.lpush(memoKey(user), ...filler);
      expect((await store.update(user, oldest.id, 'found'))?.text).toBe('found');
      expect(await store.remove(user, oldest.id)).toBe(true);
      expect(await redis.llen(memoKey(user))).toBe(1500);
    });
  });
}
