import { describe, expect, it } from 'vitest';
import { tagKey } from '@memo/common';
import { MemoStore, RestoreConflict, userKeys } from '@memo/store';
import { uniqueUser } from '@memo/testing/env';
import { redis } from './connect.js';

/** The archive (보관), against one Redis, Valkey and a Cluster alike (store.test.ts and the others). */
export function archiveSuite(): void {
  describe('archive', () => {
    const store = (): MemoStore => new MemoStore(redis, { maxCount: 100, maxBytes: 100_000, trashDays: 30 });

    it('takes a memo off the list, its tags and pin, keeps it counted, and puts it back at the top', async () => {
      const s = store();
      const user = uniqueUser();
      const a = await s.add(user, '여행 계획 #여행/제주');
      await s.add(user, 'second #여행');
      await s.pin(user, a.id);
      const before = Date.now();
      expect(await s.archive.archive(user, a.id)).toBe(true);
      const page = await s.list(user, 10);
      expect(page.memos.map((m) => m.text)).toEqual(['second #여행']);
      expect(page.usage.memos.used).toBe(2);
      expect(await s.tags(user)).toEqual([{ tag: '여행', count: 1 }]);
      expect(await redis.zcard(userKeys(user).pins)).toBe(0);
      const archived = await s.archive.page(user, 10);
      expect(archived).toMatchObject({ total: 1, next: null, memos: [{ id: a.id, text: '여행 계획 #여행/제주' }] });
      expect(Date.parse(archived.memos[0]?.archivedAt ?? '')).toBeGreaterThanOrEqual(before - 1);
      // Found by its tag and by the tag above it; not by another.
      for (const tag of ['여행', '여행/제주']) {
        expect(
          (await s.archive.page(user, 10, 0, tag)).memos.map((m) => m.id),
          tag,
        ).toEqual([a.id]);
      }
      expect(await s.archive.page(user, 10, 0, '여')).toEqual({ memos: [], total: 0, next: null });
      // Not in the list, so not edited, deleted or archived again from there; nobody else sees it.
      expect(await s.update(user, a.id, 'edited')).toBeNull();
      expect(await s.remove(user, a.id)).toBe(false);
      expect(await s.archive.archive(user, a.id)).toBe(false);
      expect((await s.archive.page(uniqueUser(), 10)).total).toBe(0);
      expect(await s.archive.unarchive(uniqueUser(), a.id)).toBeNull();

      await s.add(user, 'third');
      expect(await s.archive.unarchive(user, a.id)).toEqual(a);
      const after = await s.list(user, 10);
      expect(after.memos.map((m) => m.text)).toEqual(['여행 계획 #여행/제주', 'third', 'second #여행']);
      expect(after.memos[0]?.pinnedAt).toBeUndefined();
      expect(after.usage.memos.used).toBe(3);
      expect(await redis.zrange(tagKey(user, '여행/제주'), 0, -1)).toEqual([a.id]);
      expect(await s.archive.page(user, 10)).toEqual({ memos: [], total: 0, next: null });
      expect(await redis.exists(userKeys(user).archiveTags)).toBe(0);
      expect(await s.archive.unarchive(user, a.id)).toBeNull();
    });

    it('pages the archive, the last archived first, and a tag’s archived memos in the list’s order', async () => {
      const s = store();
      const user = uniqueUser();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await s.add(user, `memo ${String(i)} #t`)).id);
      for (const id of [...ids].reverse()) await s.archive.archive(user, id);
      const one = await s.archive.page(user, 2);
      expect(one.memos.map((m) => m.text)).toEqual(['memo 0 #t', 'memo 1 #t']);
      expect(one).toMatchObject({ total: 5, next: 2 });
      expect((await s.archive.page(user, 2, 4)).memos.map((m) => m.text)).toEqual(['memo 4 #t']);
      const tagged = await s.archive.page(user, 2, 2, 't');
      expect(tagged.memos.map((m) => m.text)).toEqual(['memo 2 #t', 'memo 1 #t']);
      expect(tagged).toMatchObject({ total: 5, next: 4 });
    });

    it('deletes an archived memo to the trash, with its tags and history, or for good without one', async () => {
      const s = store();
      const user = uniqueUser();
      const a = await s.add(user, 'old plan #plan');
      await s.update(user, a.id, 'new plan #plan');
      await s.archive.archive(user, a.id);
      expect(await s.archive.discard(uniqueUser(), a.id)).toBe(false);
      expect(await s.archive.discard(user, a.id)).toBe(true);
      expect(await s.archive.discard(user, a.id)).toBe(false);
      expect(await s.archive.page(user, 10)).toEqual({ memos: [], total: 0, next: null });
      expect(await redis.exists(userKeys(user).archiveTags, userKeys(user).history)).toBe(0);
      // In the trash now, counted until it leaves; restored, it is in the list and its tag again.
      expect((await s.trashPage(user, 10)).memos.map((m) => m.text)).toEqual(['new plan #plan']);
      expect((await s.list(user, 10)).usage).toMatchObject({ memos: { used: 1 }, bytes: { used: 14 } });
      expect(await s.restore(user, a.id)).toMatchObject({ text: 'new plan #plan' });
      expect(await s.tags(user)).toEqual([{ tag: 'plan', count: 1 }]);
      // Without a trash, for good.
      const final = new MemoStore(redis, { maxCount: 100, maxBytes: 100_000 });
      await final.archive.archive(user, a.id);
      expect(await final.archive.discard(user, a.id)).toBe(true);
      expect((await final.list(user, 10)).usage).toMatchObject({ memos: { used: 0 }, bytes: { used: 0 } });
      expect((await final.trashPage(user, 10)).total).toBe(0);
    });

    it('leaves a memo in the archive when an import brought one of its id back to the list', async () => {
      const s = store();
      const user = uniqueUser();
      const a = await s.add(user, 'archived');
      await s.archive.archive(user, a.id);
      expect(await s.importMemos(user, [{ ...a, text: 'imported again' }])).toMatchObject({ imported: 1 });
      await expect(s.archive.unarchive(user, a.id)).rejects.toBeInstanceOf(RestoreConflict);
      expect((await s.archive.page(user, 10)).memos.map((m) => m.text)).toEqual(['archived']);
    });
  });
}
