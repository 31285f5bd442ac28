import { describe, expect, it } from 'vitest';
import { MemoStore, QuotaExceeded, userKeys } from '@memo/store';
import { uniqueUser } from '@memo/testing/env';
import { redis } from './connect.js';

/** A memo's history of edits, against one Redis, Valkey and a Cluster alike (store.test.ts and the others). */
export function historySuite(): void {
  describe('history', () => {
    const store = (keep = 3, maxBytes = 100_000): MemoStore =>
      new MemoStore(redis, { maxCount: 100, maxBytes, trashDays: 30, historyVersions: keep });
    const bytesUsed = async (s: MemoStore, user: string): Promise<number> => (await s.list(user, 10)).usage.bytes.used;

    it('keeps the text each edit replaced, the newest first, the last few only, counted in the bytes', async () => {
      const s = store(3);
      const user = uniqueUser();
      const memo = await s.add(user, 'v0', new Date('2026-01-01T00:00:00Z'));
      for (let i = 1; i <= 5; i++) await s.update(user, memo.id, `v${String(i)}`, new Date(Date.UTC(2026, 0, 1 + i)));
      const history = await s.history.of(user, memo.id);
      expect(history?.memo.text).toBe('v5');
      expect(history?.keep).toBe(3);
      expect(history?.versions).toEqual([
        { n: 5, text: 'v4', at: '2026-01-05T00:00:00.000Z', replacedAt: '2026-01-06T00:00:00.000Z' },
        { n: 4, text: 'v3', at: '2026-01-04T00:00:00.000Z', replacedAt: '2026-01-05T00:00:00.000Z' },
        { n: 3, text: 'v2', at: '2026-01-03T00:00:00.000Z', replacedAt: '2026-01-04T00:00:00.000Z' },
      ]);
      // The first version's time is the memo's creation.
      const other = await s.add(user, '처음', new Date('2026-02-01T00:00:00Z'));
      await s.update(user, other.id, '두 번째', new Date('2026-02-02T00:00:00Z'));
      expect((await s.history.of(user, other.id))?.versions).toEqual([
        { n: 1, text: '처음', at: '2026-02-01T00:00:00.000Z', replacedAt: '2026-02-02T00:00:00.000Z' },
      ]);
      // Only the kept versions stay in Redis, and the bytes count the memos and them.
      expect(await redis.hlen(userKeys(user).history)).toBe(2 + 3 + 1);
      expect(await bytesUsed(s, user)).toBe(2 + Buffer.byteLength('두 번째') + 3 * 2 + Buffer.byteLength('처음'));
      expect(Number(await redis.hget(userKeys(user).meta, 'hbytes'))).toBe(3 * 2 + Buffer.byteLength('처음'));
      // An edit that changes nothing keeps nothing; nobody else sees the history.
      await s.update(user, memo.id, 'v5');
      expect((await s.history.of(user, memo.id))?.versions).toHaveLength(3);
      expect(await s.history.of(uniqueUser(), memo.id)).toBeNull();
      expect(await s.history.of(user, 'mnothere0000000')).toBeNull();
    });

    it('keeps no version for an edit that only ticks or unticks task boxes, and one for any other', async () => {
      const s = store(3);
      const user = uniqueUser();
      const list = '장보기\n- [ ] 우유\n- [ ] 달걀\n- [x] 빵';
      const memo = await s.add(user, list);
      await s.update(user, memo.id, '장보기\n- [ ] 우유 2개\n- [ ] 달걀\n- [x] 빵');
      // Ticks and unticks, one box at a time and two at once, as the page sends them.
      for (const ticked of [
        '장보기\n- [x] 우유 2개\n- [ ] 달걀\n- [x] 빵',
        '장보기\n- [x] 우유 2개\n- [X] 달걀\n- [ ] 빵',
        '장보기\n- [ ] 우유 2개\n- [ ] 달걀\n- [ ] 빵',
        '장보기\n- [x] 우유 2개\n- [x] 달걀\n- [x] 빵',
      ]) {
        expect(await s.update(user, memo.id, ticked)).toMatchObject({ text: ticked });
      }
      expect((await s.history.of(user, memo.id))?.versions.map((v) => v.text)).toEqual([list]);
      // Other changes keep a version as before: a tick between two of them keeps none.
      await s.update(user, memo.id, '장보기\n- [x] 우유 2개\n- [x] 달걀\n- [x] 빵x');
      await s.update(user, memo.id, '장보기\n- [x] 우유 2개\n- [x] 달걀\n- [ ] 빵x');
      await s.update(user, memo.id, '장보기\n- [x] 우유 2개\n- [x] 달걀\n- [ ] 빵x\n- [ ] 물');
      expect((await s.history.of(user, memo.id))?.versions.map((v) => v.text)).toEqual([
        '장보기\n- [x] 우유 2개\n- [x] 달걀\n- [ ] 빵x',
        '장보기\n- [x] 우유 2개\n- [x] 달걀\n- [x] 빵',
        list,
      ]);
    });

    it('restores a version as an edit, which keeps the text it replaces', async () => {
      const s = store(5);
      const user = uniqueUser();
      const memo = await s.add(user, 'one #a');
      await s.update(user, memo.id, 'two #b');
      await s.update(user, memo.id, 'three #b');
      const restored = await s.history.restore(user, memo.id, 1);
      expect(restored).toMatchObject({ id: memo.id, text: 'one #a' });
      expect((await s.history.of(user, memo.id))?.versions.map((v) => [v.n, v.text])).toEqual([
        [3, 'three #b'],
        [2, 'two #b'],
        [1, 'one #a'],
      ]);
      expect(await s.tags(user)).toEqual([{ tag: 'a', count: 1 }]);
      expect(await s.history.restore(user, memo.id, 9)).toBeNull();
      expect(await s.history.restore(uniqueUser(), memo.id, 1)).toBeNull();
    });

    it('at the byte quota drops the memo’s own oldest versions for its edit, and refuses only past that', async () => {
      const s = store(5, 100);
      const user = uniqueUser();
      const memo = await s.add(user, 'a'.repeat(20));
      for (const c of ['b', 'c', 'd']) await s.update(user, memo.id, c.repeat(20));
      // 20 bytes of memo and 60 of versions (a, b, c).
      expect(await bytesUsed(s, user)).toBe(80);
      await s.update(user, memo.id, 'e'.repeat(30));
      // 30 + d, c, b (20 each) = 90: the version of a gave way.
      expect((await s.history.of(user, memo.id))?.versions.map((v) => v.text[0])).toEqual(['d', 'c', 'b']);
      expect(await bytesUsed(s, user)).toBe(90);
      await s.update(user, memo.id, 'f'.repeat(60));
      // 60 + e (30) = 90: the edit kept what still fits, newest first.
      expect((await s.history.of(user, memo.id))?.versions.map((v) => v.text[0])).toEqual(['e']);
      expect(await bytesUsed(s, user)).toBe(90);
      // Past what even no history leaves room for: refused, and nothing changed.
      await expect(s.update(user, memo.id, 'g'.repeat(101))).rejects.toBeInstanceOf(QuotaExceeded);
      expect((await s.history.of(user, memo.id))?.versions.map((v) => v.text[0])).toEqual(['e']);
      expect((await s.list(user, 1)).memos[0]?.text).toBe('f'.repeat(60));
      expect(await bytesUsed(s, user)).toBe(90);
      // Another memo's history is not touched to make room.
      const other = await s.add(user, 'x');
      await expect(s.update(user, other.id, 'x'.repeat(20))).rejects.toBeInstanceOf(QuotaExceeded);
      expect((await s.history.of(user, memo.id))?.versions).toHaveLength(1);
    });

    it('goes with a delete (the trash too) or when forgotten, and the bytes with it; none is kept when off', async () => {
      const s = store(3);
      const user = uniqueUser();
      const memo = await s.add(user, 'start');
      await s.update(user, memo.id, 'middle');
      await s.update(user, memo.id, 'end');
      expect(await s.history.forget(user, memo.id)).toBe(2);
      expect((await s.history.of(user, memo.id))?.versions).toEqual([]);
      expect(await bytesUsed(s, user)).toBe(3);
      await s.update(user, memo.id, 'again');
      expect(await bytesUsed(s, user)).toBe(5 + 3);
      expect(await s.remove(user, memo.id)).toBe(true);
      expect(await redis.exists(userKeys(user).history)).toBe(0);
      expect(await s.history.of(user, memo.id)).toBeNull();
      await s.restore(user, memo.id);
      expect((await s.history.of(user, memo.id))?.versions).toEqual([]);
      expect(await bytesUsed(s, user)).toBe(5);
      expect(Number(await redis.hget(userKeys(user).meta, 'hbytes'))).toBe(0);
      // History off (a chart that sets 0): an edit keeps nothing, and drops what was kept.
      await s.update(user, memo.id, 'kept once');
      const off = store(0);
      await off.update(user, memo.id, 'not kept');
      expect((await off.history.of(user, memo.id))?.versions).toEqual([]);
      expect(await bytesUsed(off, user)).toBe('not kept'.length);
    });
  });
}
