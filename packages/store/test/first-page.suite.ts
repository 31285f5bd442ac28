import { describe, expect, it } from 'vitest';
import { accountKeys, memoKeys, sessionKey, type Session } from '@memo/common';
import { FIRST_PAGE_KEEP_BYTES, FIRST_PAGE_KEEP_MS, type PageJson } from '@memo/store';
import { uniqueUser } from '@memo/testing/env';
import { next, raw, redis, store } from './connect.js';

/** What GET /memo shows of a page (its memos parsed), to compare with the store's own list. */
const shown = (page: PageJson | null): unknown => page && { ...page, memos: JSON.parse(page.memos) as unknown };

/** A kept page's memos replaced by a marker: only an answer from the kept page can show it. */
const MARKER = '[{"marker":true}]';

/**
 * The first page as sent is kept and answered as it is until the user writes (page.lua,
 * keep.lua). Each write below runs between a read that is known to come from the kept page
 * (its memos were replaced by a marker) and the next read, which must show the write: a
 * script that changes what a page shows without raising the write count fails here.
 */
export function firstPageSuite(): void {
  describe('the first page, kept until a write', () => {
    async function liveUser(): Promise<Session> {
      const userId = uniqueUser();
      const session = { userId, sessionId: `s-${userId}`, expiresAt: Math.floor(Date.now() / 1000) + 600, issuedAt: 0 };
      await redis.set(sessionKey(userId, session.sessionId), userId, 'EX', 600);
      return session;
    }

    /** Reads the first page (kept now), marks the kept copy and checks the next read is it. */
    async function keptAndMarked(session: Session, limit = 5): Promise<void> {
      await store.listJsonIfLive(session, limit);
      const kept = memoKeys(session.userId).firstPage;
      expect(await redis.hget(kept, 'j')).not.toBeNull();
      await redis.hset(kept, 'j', MARKER);
      expect((await store.listJsonIfLive(session, limit))?.memos).toBe(MARKER);
    }

    /** The page after a write: not the marked copy, and what the store's own list says. */
    async function fresh(session: Session, limit = 5): Promise<void> {
      const page = await store.listJsonIfLive(session, limit);
      expect(page?.memos).not.toBe(MARKER);
      expect(shown(page)).toEqual(await store.list(session.userId, limit));
    }

    it('is answered as kept, and every kind of write makes the next read build it again', async () => {
      const session = await liveUser();
      const { userId } = session;
      const ids: string[] = [];
      for (const text of ['one #a', 'two', 'three', 'four', 'five', 'six'])
        ids.push((await store.add(userId, text)).id);
      const writes: [string, () => Promise<unknown>][] = [
        ['add', () => store.add(session, 'seven')],
        ['add with an idempotency key', () => store.addOnce(session, 'eight', 'key-00000001')],
        ['edit', () => store.update(session, ids[4] ?? '', 'five, edited')],
        ['pin', () => store.pin(session, ids[0] ?? '')],
        ['unpin', () => store.unpin(session, ids[0] ?? '')],
        ['pin again', () => store.pin(session, ids[1] ?? '')],
        ['delete of the pinned memo', () => store.remove(session, ids[1] ?? '')],
        ['delete', () => store.remove(session, ids[5] ?? '')],
        ['tag rename', () => store.renameTag(session, 'a', 'b', 1000)],
        ['import', () => store.importMemos(session, ['imported'])],
        // The original app, sharing this Redis, pushes a plain string and raises nothing.
        ['the original app’s LPUSH', () => raw().lpush(memoKeys(userId).list, 'from the original app')],
      ];
      for (const [what, write] of writes) {
        await keptAndMarked(session);
        await write();
        await fresh(session).catch((err: unknown) => {
          throw new Error(`after ${what}: ${String(err)}`);
        });
      }
      // A write that changes nothing (an unpin of a memo not pinned) keeps the page.
      await keptAndMarked(session);
      await store.unpin(session, ids[2] ?? '');
      expect((await store.listJsonIfLive(session, 5))?.memos).toBe(MARKER);
    });

    it('is never answered to a user whose counters were deleted by hand and who wrote again', async () => {
      const session = await liveUser();
      const keys = memoKeys(session.userId);
      await store.add(session.userId, 'before');
      await store.listJsonIfLive(session, 5);
      expect(await redis.hget(keys.firstPage, 'k')).not.toBeNull();
      // Everything but the kept page goes (a script of an operator's, a test's reset); then the
      // same number of writes again, to the same list length.
      await redis.del(keys.list, keys.older, keys.memos, keys.meta);
      await store.add(session.userId, 'after');
      const page = await store.listJsonIfLive(session, 5);
      expect(shown(page)).toEqual(await store.list(session.userId, 5));
      expect(JSON.parse(page?.memos ?? '[]')).toMatchObject([{ text: 'after' }]);
    });

    it('is built again after a compaction step moves the refs', async () => {
      const session = await liveUser();
      const ids: string[] = [];
      for (let i = 0; i < 300; i++) ids.push((await store.add(session.userId, `memo ${String(i)}`)).id);
      for (const id of ids.slice(0, 200)) await store.remove(session.userId, id);
      // The deletes' own steps may have finished the move: one left under way (a replica
      // stopped in the middle of it) is resumed by the next step.
      await redis.hset(memoKeys(session.userId).meta, 'moving', '1');
      await keptAndMarked(session);
      expect(await store.moveStep(session.userId)).not.toBe('idle');
      await fresh(session);
    });

    it('is kept per limit, and only for the first page of a live session', async () => {
      const session = await liveUser();
      for (let i = 0; i < 12; i++) await store.add(session.userId, `memo ${String(i)}`);
      await keptAndMarked(session, 5);
      // Another limit is another page.
      expect(shown(await store.listJsonIfLive(session, 6))).toEqual(await store.list(session.userId, 6));
      // A later page is never answered as kept.
      const cursor = next(await store.list(session.userId, 5));
      expect(cursor).toBeDefined();
      expect(shown(await store.listJsonIfLive(session, 5, cursor))).toEqual(
        await store.list(session.userId, 5, cursor),
      );
      // Nor is a page sent to a session that ended.
      await redis.del(sessionKey(session.userId, session.sessionId));
      await expect(store.listJsonIfLive(session, 5)).resolves.toBeNull();
    });

    it('is bounded: a large page is not kept, a kept one expires, and deleting the account takes it', async () => {
      const session = await liveUser();
      const kept = memoKeys(session.userId).firstPage;
      await store.add(session.userId, 'small');
      await store.listJsonIfLive(session, 5);
      const ttl = await redis.pttl(kept);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(FIRST_PAGE_KEEP_MS);
      expect(accountKeys(session.userId)).toContain(kept);
      // Five memos of 20,000 characters: a page well over the bound.
      for (let i = 0; i < 5; i++) await store.add(session.userId, `${'x'.repeat(20_000)} ${String(i)}`);
      const big = await store.listJsonIfLive(session, 5);
      expect(big?.memos.length).toBeGreaterThan(FIRST_PAGE_KEEP_BYTES);
      expect(await redis.hget(kept, 'j')).not.toBe(big?.memos);
    });

    it('is not kept from a read that a write overtook', async () => {
      const session = await liveUser();
      const keys = memoKeys(session.userId);
      await store.add(session.userId, 'one');
      await store.listJsonIfLive(session, 5);
      const key = await redis.hget(keys.firstPage, 'k');
      await redis.del(keys.firstPage);
      // Read at this write count; a write lands before the page is kept.
      const w = (await redis.hget(keys.meta, 'w')) ?? '0';
      await store.add(session.userId, 'two');
      const kept = await store.scripts.run(
        'keep',
        { meta: keys.meta, firstPage: keys.firstPage },
        { w, key: key ?? '', json: MARKER, rest: 0, last: 0, ttl: 60_000 },
      );
      expect(kept).toBe(0);
      expect(await redis.exists(keys.firstPage)).toBe(0);
      expect(shown(await store.listJsonIfLive(session, 5))).toEqual(await store.list(session.userId, 5));
    });
  });
}
