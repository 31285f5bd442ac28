import { describe, expect, it } from 'vitest';
import { tagKey } from '@memo/common';
import { MemoStore, QuotaExceeded, RestoreConflict, userKeys } from '@memo/store';
import { uniqueUser } from '@memo/testing/env';
import { redis } from './connect.js';

const DAY = 86_400_000;

/** The trash (휴지통), against one Redis, Valkey and a Cluster alike (store.test.ts and the others). */
export function trashSuite(): void {
  describe('trash', () => {
    const roomy = (): MemoStore => new MemoStore(redis, { maxCount: 100, maxBytes: 100_000, trashDays: 30 });

    it('keeps a deleted memo, counted in the usage, and restores it at the top with its tags', async () => {
      const store = roomy();
      const user = uniqueUser();
      const a = await store.add(user, 'first #work');
      await store.add(user, 'second');
      await store.pin(user, a.id);
      const before = Date.now();
      expect(await store.remove(user, a.id)).toBe(true);
      const page = await store.list(user, 10);
      expect(page.memos.map((m) => m.text)).toEqual(['second']);
      expect(page.usage.memos.used).toBe(2);
      expect(await store.tags(user)).toEqual([]);
      const trash = await store.trashPage(user, 10);
      expect(trash).toMatchObject({ total: 1, next: null, memos: [{ id: a.id, text: 'first #work' }] });
      expect(Date.parse(trash.memos[0]?.deletedAt ?? '')).toBeGreaterThanOrEqual(before - 1);
      // A deleted memo is gone from every other way in: edit, pin, a second delete.
      expect(await store.update(user, a.id, 'edited')).toBeNull();
      expect(await store.remove(user, a.id)).toBe(false);

      await store.add(user, 'third');
      const restored = await store.restore(user, a.id);
      expect(restored).toEqual(a);
      const after = await store.list(user, 10);
      expect(after.memos.map((m) => m.text)).toEqual(['first #work', 'third', 'second']);
      expect(after.memos[0]?.pinnedAt).toBeUndefined();
      expect(after.usage.memos.used).toBe(3);
      expect(await store.tags(user)).toEqual([{ tag: 'work', count: 1 }]);
      expect(await redis.zrange(tagKey(user, 'work'), 0, -1)).toEqual([a.id]);
      expect(await store.trashPage(user, 10)).toEqual({ memos: [], total: 0, next: null });
      expect(await store.restore(user, a.id)).toBeNull();
      // Restored, it is an ordinary memo again: deleted, it goes back to the trash.
      expect(await store.remove(user, a.id)).toBe(true);
      expect((await store.trashPage(user, 10)).total).toBe(1);
    });

    it('leaves a memo in the trash when an import brought one of its id back to the list', async () => {
      const store = roomy();
      const user = uniqueUser();
      const a = await store.add(user, 'in the trash');
      await store.remove(user, a.id);
      expect(await store.importMemos(user, [{ ...a, text: 'imported again' }])).toMatchObject({ imported: 1 });
      await expect(store.restore(user, a.id)).rejects.toBeInstanceOf(RestoreConflict);
      expect((await store.list(user, 10)).memos.map((m) => m.text)).toEqual(['imported again']);
      expect((await store.trashPage(user, 10)).memos.map((m) => m.text)).toEqual(['in the trash']);
      // Both counted (two entries are kept) until the trash lets its copy go.
      expect((await store.list(user, 10)).usage.memos.used).toBe(2);
      expect(await store.purge(user, a.id)).toBe(true);
      expect((await store.list(user, 10)).usage.memos.used).toBe(1);
    });

    it('pages the trash, the last deleted first', async () => {
      const store = roomy();
      const user = uniqueUser();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await store.add(user, `memo ${String(i)}`)).id);
      for (const id of ids) await store.remove(user, id);
      const one = await store.trashPage(user, 2);
      expect(one.memos.map((m) => m.text)).toEqual(['memo 4', 'memo 3']);
      expect(one).toMatchObject({ total: 5, next: 2 });
      const three = await store.trashPage(user, 2, 4);
      expect(three.memos.map((m) => m.text)).toEqual(['memo 0']);
      expect(three.next).toBeNull();
    });

    it('deletes one memo of the trash or all of it for good, and the usage with them', async () => {
      const store = roomy();
      const user = uniqueUser();
      const a = await store.add(user, 'aaa');
      const b = await store.add(user, 'bb');
      await store.add(user, 'c');
      await store.remove(user, a.id);
      await store.remove(user, b.id);
      expect((await store.list(user, 10)).usage).toMatchObject({ memos: { used: 3 }, bytes: { used: 6 } });
      expect(await store.purge(user, a.id)).toBe(true);
      expect(await store.purge(user, a.id)).toBe(false);
      expect((await store.list(user, 10)).usage).toMatchObject({ memos: { used: 2 }, bytes: { used: 3 } });
      expect(await store.emptyTrash(user)).toBe(1);
      expect((await store.list(user, 10)).usage).toMatchObject({ memos: { used: 1 }, bytes: { used: 1 } });
      expect(await redis.exists(userKeys(user).trash, userKeys(user).trashAt)).toBe(0);
      expect(await store.emptyTrash(user)).toBe(0);
      expect(await store.restore(user, b.id)).toBeNull();
    });

    it('counts the trash in the quota: a full one refuses an add until it is emptied', async () => {
      const store = new MemoStore(redis, { maxCount: 2, maxBytes: 100, trashDays: 30 });
      const user = uniqueUser();
      const a = await store.add(user, 'a');
      await store.add(user, 'b');
      await store.remove(user, a.id);
      const refused = await store.add(user, 'c').catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(QuotaExceeded);
      expect(refused).toMatchObject({ which: 'memos', usage: { memos: { used: 2, limit: 2 } } });
      await store.emptyTrash(user);
      await expect(store.add(user, 'c')).resolves.toMatchObject({ text: 'c' });
    });

    it('lets each memo go after its days, and the whole trash when nothing was deleted for that long', async () => {
      const store = roomy();
      const user = uniqueUser();
      const a = await store.add(user, 'old');
      await store.add(user, 'kept');
      await store.remove(user, a.id);
      // Read 30 days on: its days are over, and it leaves the trash and the usage.
      const later = await store.trash.page(user, 10, 0, Date.now() + 30 * DAY + 1_000);
      expect(later).toEqual({ memos: [], total: 0, next: null });
      expect((await store.list(user, 10)).usage.memos.used).toBe(1);

      // A trash of a second and a half: Redis expires it as a whole; the quota counts it off.
      const brief = new MemoStore(redis, { maxCount: 2, maxBytes: 100, trashDays: 1.5 / 86_400 });
      const other = uniqueUser();
      const b = await brief.add(other, 'b');
      await brief.add(other, 'c');
      await brief.remove(other, b.id);
      await expect(brief.add(other, 'd')).rejects.toBeInstanceOf(QuotaExceeded);
      await new Promise((resolve) => setTimeout(resolve, 1_700));
      expect(await redis.exists(userKeys(other).trash)).toBe(0);
      await expect(brief.add(other, 'd')).resolves.toMatchObject({ text: 'd' });
      expect((await brief.list(other, 10)).usage.memos.used).toBe(2);
      expect(await redis.hmget(userKeys(other).meta, 'tcount', 'tbytes')).toEqual([null, null]);
    });
  });
}
