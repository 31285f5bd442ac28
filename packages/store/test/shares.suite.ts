import { describe, expect, it } from 'vitest';
import { shareKey } from '@memo/common';
import { MemoStore, SharesFull, userKeys } from '@memo/store';
import { uniqueUser } from '@memo/testing/env';
import { redis } from './connect.js';

/** Share links (공유), against one Redis, Valkey and a Cluster alike (store.test.ts and the others). */
export function sharesSuite(): void {
  describe('share links', () => {
    const store = (maxShares?: number): MemoStore =>
      new MemoStore(redis, { maxCount: 100, maxBytes: 100_000, trashDays: 30, historyVersions: 5, maxShares });

    it('opens a memo as it is now, lists it, and ends at once when revoked', async () => {
      const s = store();
      const user = uniqueUser();
      const memo = await s.add(user, '# 회의록\n내일 3시 #일정');
      const link = await s.shares.create(user, memo.id, null);
      expect(link).toMatchObject({ memoId: memo.id, expiresAt: null });
      const token = link?.token ?? '';
      // 144 random bits, and nothing of the user in it.
      expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(token).not.toContain(user);
      expect(await s.shares.open(token)).toEqual({
        text: '# 회의록\n내일 3시 #일정',
        createdAt: memo.createdAt,
        updatedAt: memo.updatedAt,
        expiresAt: null,
      });
      // An edit shows on the link: it is the memo, not a snapshot.
      await s.update(user, memo.id, '# 회의록\n내일 4시 #일정');
      expect((await s.shares.open(token))?.text).toBe('# 회의록\n내일 4시 #일정');
      expect(await s.shares.list(user)).toEqual({
        links: [{ memoId: memo.id, token, createdAt: link?.createdAt, expiresAt: null, title: '# 회의록' }],
        max: 100,
      });
      // Nobody else lists or ends it.
      expect((await s.shares.list(uniqueUser())).links).toEqual([]);
      expect(await s.shares.revoke(uniqueUser(), memo.id)).toBe(false);
      expect(await s.shares.open(token)).not.toBeNull();

      expect(await s.shares.revoke(user, memo.id)).toBe(true);
      expect(await s.shares.open(token)).toBeNull();
      expect(await redis.exists(shareKey(token))).toBe(0);
      expect(await s.shares.revoke(user, memo.id)).toBe(false);
      expect((await s.shares.list(user)).links).toEqual([]);
      // A token never handed out, or not a token at all, opens nothing either.
      expect(await s.shares.open('A'.repeat(24))).toBeNull();
      expect(await s.shares.open('../../etc')).toBeNull();
    });

    it('gives a memo one link: a new one replaces it', async () => {
      const s = store();
      const user = uniqueUser();
      const memo = await s.add(user, 'one');
      const first = (await s.shares.create(user, memo.id, null))?.token ?? '';
      const second = (await s.shares.create(user, memo.id, null))?.token ?? '';
      expect(second).not.toBe(first);
      expect(await s.shares.open(first)).toBeNull();
      expect(await redis.exists(shareKey(first))).toBe(0);
      expect((await s.shares.open(second))?.text).toBe('one');
      expect((await s.shares.list(user)).links.map((l) => l.token)).toEqual([second]);
      // The list names a link by its memo's first line, 60 characters as a person counts them.
      const long = await s.add(user, `\n  ${'👍🏽'.repeat(70)}\nsecond line`);
      await s.shares.create(user, long.id, null);
      const titles = (await s.shares.list(user)).links.map((l) => l.title);
      expect(titles).toContain(`${'👍🏽'.repeat(60)}…`);
    });

    it('ends the link of a memo deleted (to the trash) or archived, for good', async () => {
      const s = store();
      const user = uniqueUser();
      const a = await s.add(user, 'to delete');
      const b = await s.add(user, 'to archive');
      const ta = (await s.shares.create(user, a.id, null))?.token ?? '';
      const tb = (await s.shares.create(user, b.id, null))?.token ?? '';
      expect(await s.remove(user, a.id)).toBe(true);
      expect(await s.archive.archive(user, b.id)).toBe(true);
      for (const token of [ta, tb]) {
        expect(await s.shares.open(token)).toBeNull();
        expect(await redis.exists(shareKey(token))).toBe(0);
      }
      expect(await redis.exists(userKeys(user).shares)).toBe(0);
      // Back from the trash or the archive, the memo has no link: the old one stays dead.
      await s.restore(user, a.id);
      await s.archive.unarchive(user, b.id);
      expect(await s.shares.open(ta)).toBeNull();
      expect(await s.shares.open(tb)).toBeNull();
      // No link for a memo that is not in the list.
      expect(await s.shares.create(user, 'm000000000aaaaaaaaaaaa', null)).toBeNull();
    });

    it('stops opening at its expiry, and its lookup key expires with it', async () => {
      const s = store();
      const user = uniqueUser();
      const memo = await s.add(user, 'for a day');
      const expires = new Date(Date.now() + 86_400_000);
      const link = await s.shares.create(user, memo.id, expires);
      const token = link?.token ?? '';
      expect(link?.expiresAt).toBe(expires.toISOString());
      expect((await s.shares.open(token))?.expiresAt).toBe(expires.toISOString());
      const ttl = await redis.pttl(shareKey(token));
      expect(ttl).toBeGreaterThan(86_300_000);
      expect(ttl).toBeLessThanOrEqual(86_400_000);
      // A day later (the time given), it opens nothing, and the list drops it.
      const later = expires.getTime() + 1;
      expect(await s.shares.open(token, later)).toBeNull();
      expect((await s.shares.list(user, later)).links).toEqual([]);
      expect(await redis.hlen(userKeys(user).shares)).toBe(0);
    });

    it('keeps at most maxShares links a user; expired ones do not count', async () => {
      const s = store(2);
      const user = uniqueUser();
      const [a, b, c] = [await s.add(user, 'a'), await s.add(user, 'b'), await s.add(user, 'c')];
      await s.shares.create(user, a.id, new Date(Date.now() + 1_000), new Date(Date.now() - 10_000));
      await s.shares.create(user, b.id, null);
      await expect(s.shares.create(user, c.id, null)).rejects.toBeInstanceOf(SharesFull);
      expect(await redis.hlen(userKeys(user).shares)).toBe(2);
      // Replacing a memo's own link is not one more.
      expect(await s.shares.create(user, b.id, null)).not.toBeNull();
      // Once the first has expired, there is room.
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await s.shares.create(user, c.id, null)).not.toBeNull();
      expect((await s.shares.list(user)).links.map((l) => l.memoId).sort()).toEqual([b.id, c.id].sort());
    });
  });
}
