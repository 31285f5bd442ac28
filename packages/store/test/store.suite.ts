import { describe, expect, it } from 'vitest';
import { legacySessionKey, sessionKey } from '@memo/common';
import { IDEMPOTENCY_KEEP, MemoStore, QuotaExceeded, legacyId, userKeys } from '@memo/store';
import { MOVE_WORK } from '@memo/store';
import { seedCurrent, seedLegacy } from '@memo/testing/seed';
import { uniqueUser } from '@memo/testing/env';
import { all, next, raw, redis, store } from './connect.js';

/**
 * The store's behaviour, run against one Redis (store.test.ts) and a Redis Cluster
 * (cluster.test.ts): pages, writes, moves, pins, idempotent adds, the byte quota. The tag index
 * is tags.suite.ts's, who may write writers.suite.ts's.
 */
export function storeSuite(): void {
  describe('MemoStore', () => {
    it('lists newest first and pages with a stable cursor while new memos arrive', async () => {
      const user = uniqueUser();
      for (let i = 1; i <= 25; i++) await store.add(user, `memo ${String(i)}`);
      const first = await store.list(user, 10);
      expect(first.memos.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `memo ${String(25 - i)}`));
      // A memo added between pages must not shift the next page.
      await store.add(user, 'memo 26');
      const second = await store.list(user, 10, next(first));
      expect(second.memos.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `memo ${String(15 - i)}`));
      const third = await store.list(user, 10, next(second));
      expect(third.memos.map((m) => m.text)).toEqual(['memo 5', 'memo 4', 'memo 3', 'memo 2', 'memo 1']);
      expect(third.nextCursor).toBeNull();
      expect(third.usage).toEqual({ memos: { used: 26, limit: 100_000 }, bytes: { used: 173, limit: 100_000_000 } });
      // A cursor handed out before this layout (the count of older memos only) still pages.
      const old = await store.list(user, 10, { pos: 15, seq: 0 });
      expect(old.memos.map((m) => m.text)).toEqual(second.memos.map((m) => m.text));
    });

    it('pages a session’s memos only while that session lives, in one command', async () => {
      const user = uniqueUser();
      const session = {
        userId: user,
        sessionId: `s-${user}`,
        expiresAt: Math.floor(Date.now() / 1000) + 60,
        issuedAt: 0,
      };
      for (const text of ['a', 'b', 'c']) await store.add(user, text);
      await expect(store.listIfLive(session, 2)).resolves.toBeNull();
      await redis.set(sessionKey(user, session.sessionId), user, 'EX', 60);
      const page = await store.listIfLive(session, 2);
      expect(page?.memos.map((m) => m.text)).toEqual(['c', 'b']);
      expect(page).toEqual(await store.list(user, 2));
      const cursor = page ? next(page) : undefined;
      await expect(store.listIfLive(session, 2, cursor)).resolves.toEqual(await store.list(user, 2, cursor));
      await redis.set(sessionKey(user, session.sessionId), uniqueUser(), 'EX', 60);
      await expect(store.listIfLive(session, 2)).resolves.toBeNull();
      await redis.del(sessionKey(user, session.sessionId));
      await expect(store.listIfLive(session, 2)).resolves.toBeNull();
      // A session from before sessions moved into their user's slot.
      await redis.set(legacySessionKey(session.sessionId), user, 'EX', 60);
      await expect(store.listIfLive(session, 2)).resolves.toEqual(await store.list(user, 2));
      await redis.del(legacySessionKey(session.sessionId));
      await expect(store.listIfLive(session, 2)).resolves.toBeNull();
    });

    it('returns an empty page for a user without memos', async () => {
      await expect(store.list(uniqueUser(), 20)).resolves.toEqual({
        memos: [],
        nextCursor: null,
        usage: { memos: { used: 0, limit: 100_000 }, bytes: { used: 0, limit: 100_000_000 } },
      });
    });

    it('edits a memo in place, keeping its id, place and creation time', async () => {
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
      expect(page.memos).toEqual([b, edited]);
      expect(page.usage.bytes.used).toBe(Buffer.byteLength('second') + Buffer.byteLength('고친 메모 ✏️'));
    });

    it('deletes exactly one memo, and a second delete finds nothing', async () => {
      const user = uniqueUser();
      const a = await store.add(user, 'same');
      const b = await store.add(user, 'same');
      expect(await store.remove(user, a.id)).toBe(true);
      expect(await store.remove(user, a.id)).toBe(false);
      expect(await store.update(user, a.id, 'back?')).toBeNull();
      const page = await store.list(user, 10);
      expect(page.memos.map((m) => m.id)).toEqual([b.id]);
      expect(page.usage.memos.used).toBe(1);
    });

    it('gives the page as JSON text with the same memos as the page of objects, pins and moved entries too', async () => {
      const user = uniqueUser();
      const session = { userId: user, sessionId: 's-json', expiresAt: 0, issuedAt: 0 };
      await redis.set(sessionKey(user, 's-json'), user);
      // The original's plain strings (moved into this layout by the first read), then memos of
      // every kind of text, one of them pinned.
      await seedLegacy(raw(), user, ['원래 앱의 "메모" / 슬래시', 'tab\there']);
      for (const text of ['이모지 😀', 'control \u0001 and \u001f', 'quote " backslash \\ </script>', 'plain']) {
        await store.add(session, text);
      }
      const first = await store.list(user, 3);
      expect(await store.pin(session, first.memos[1]?.id ?? '')).toBe(true);
      let cursor: ReturnType<typeof next>;
      for (let pages = 0; pages < 4; pages += 1) {
        const objects = await store.list(user, 3, cursor);
        const text = await store.listJsonIfLive(session, 3, cursor);
        expect(text).not.toBeNull();
        expect(JSON.parse(text?.memos ?? '')).toEqual(objects.memos);
        expect(text?.nextCursor).toEqual(objects.nextCursor);
        expect(text?.usage).toEqual(objects.usage);
        cursor = next(objects);
        if (!cursor) break;
      }
      expect(cursor).toBeUndefined();
      // A pin shows on the first page only, with its time, as the objects carry it.
      const pinned = JSON.parse((await store.listJsonIfLive(session, 3))?.memos ?? '[]') as { pinnedAt?: string }[];
      expect(pinned[0]?.pinnedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      // A session that ended gets no page.
      await redis.del(sessionKey(user, 's-json'));
      expect(await store.listJsonIfLive(session, 3)).toBeNull();
    });

    it('never reaches another user’s memo', async () => {
      const owner = uniqueUser();
      const other = uniqueUser();
      const memo = await store.add(owner, 'private');
      expect(await store.update(other, memo.id, 'hijacked')).toBeNull();
      expect(await store.remove(other, memo.id)).toBe(false);
      expect((await store.list(owner, 10)).memos).toEqual([memo]);
    });

    it('moves the original’s plain strings and layout-1 entries into this layout on first touch', async () => {
      const user = uniqueUser();
      const keys = userKeys(user);
      // The original: LPUSH memo:<userId> text. Layout 1: LPUSH of JSON entries. Mixed, with a
      // plain string that looks like JSON and the same text twice.
      const v1 = (id: string, text: string): string =>
        JSON.stringify({ v: 1, id, text, createdAt: '2025-01-02T03:04:05.000Z', updatedAt: null });
      await redis.lpush(
        keys.list,
        '오래된 메모 1',
        v1('m0abcdefghi000000000001', 'layout one'),
        '{"looks":"like json"}',
        '오래된 메모 1',
        '오래된 메모 3',
      );
      const page = await store.list(user, 10);
      expect(page.memos.map((m) => m.text)).toEqual([
        '오래된 메모 3',
        '오래된 메모 1',
        '{"looks":"like json"}',
        'layout one',
        '오래된 메모 1',
      ]);
      const [three, dupNew, looks, one, dupOld] = page.memos;
      expect(three?.id).toBe(legacyId('오래된 메모 3'));
      expect(looks?.id).toBe(legacyId('{"looks":"like json"}'));
      expect(one).toEqual({
        id: 'm0abcdefghi000000000001',
        text: 'layout one',
        createdAt: '2025-01-02T03:04:05.000Z',
        updatedAt: null,
      });
      // The same text twice: two memos with two ids.
      expect(new Set([dupNew?.id, dupOld?.id]).size).toBe(2);
      expect(page.usage.memos.used).toBe(5);
      // Stored as this layout now: refs in the list, entries in the hash.
      expect(await redis.hget(keys.meta, 'v')).toBe('2');
      expect(await redis.lrange(keys.list, 0, -1)).toEqual(page.memos.map((m, i) => `${(5 - i).toString(36)}:${m.id}`));

      expect((await store.update(user, looks?.id ?? '', 'now edited'))?.text).toBe('now edited');
      expect(await store.remove(user, three?.id ?? '')).toBe(true);
      expect(await store.remove(user, dupOld?.id ?? '')).toBe(true);
      expect(await all(store, user)).toEqual(['오래된 메모 1', 'now edited', 'layout one']);
    });

    it('finishes a move stopped half way on the next request, losing nothing and in order', async () => {
      const user = uniqueUser();
      const texts = Array.from({ length: 2_000 }, (_, i) => `legacy ${String(i)}`);
      await seedLegacy(raw(), user, texts);
      expect(await store.moveStep(user)).toBe('more');
      expect(await store.moveStep(user)).toBe('more');
      const keys = userKeys(user);
      expect(await redis.hget(keys.meta, 'moving')).toBe('1');
      // A step converts MOVE_WORK / 4 small entries of an earlier layout.
      expect(await redis.llen(keys.older)).toBe(2 * (MOVE_WORK / 4));
      // Stopped here (a killed replica): the next request moves the rest first.
      expect(await all(store, user, 100)).toEqual([...texts].reverse());
      expect(await redis.exists(keys.older)).toBe(0);
      expect(await redis.hget(keys.meta, 'moving')).toBeNull();
      expect(await store.moveStep(user)).toBe('idle');
    });

    it('keeps paging right while memos are deleted and the list is compacted under the reader', async () => {
      const user = uniqueUser();
      const keys = userKeys(user);
      const ids = await seedCurrent(
        raw(),
        user,
        Array.from({ length: 600 }, (_, i) => `n${String(i)}`),
      );
      let random = 42;
      const pick = (): number => {
        random ^= random << 13;
        random ^= random >>> 17;
        random ^= random << 5;
        return (random >>> 0) % 600;
      };
      const deleted = new Set<number>();
      const seen: string[] = [];
      let page = await store.list(user, 25);
      for (;;) {
        seen.push(...page.memos.map((m) => m.text));
        // Between pages: deletes anywhere (some seen, some not), and a new memo at the top.
        for (let k = 0; k < 20; k++) {
          const i = pick();
          if (!deleted.has(i) && (await store.remove(user, ids[i] ?? ''))) deleted.add(i);
        }
        await store.add(user, 'newer');
        const cursor = next(page);
        if (!cursor) break;
        page = await store.list(user, 25, cursor);
      }
      // Compactions ran under the reader: fewer dead refs remain than memos were deleted.
      expect(Number(await redis.hget(keys.meta, 'dead'))).toBeLessThan(deleted.size);
      // Each memo that outlived the walk was seen exactly once, in order; none was seen twice.
      const seenOld = seen.filter((t) => t !== 'newer');
      expect(new Set(seenOld).size).toBe(seenOld.length);
      const survivors = Array.from({ length: 600 }, (_, i) => 599 - i).filter((i) => !deleted.has(i));
      const order = seenOld.map((t) => Number(t.slice(1)));
      expect(order).toEqual([...order].sort((a, b) => b - a));
      for (const i of survivors) expect(order).toContain(i);
      // And the whole list reads right afterwards.
      const now = (await all(store, user, 50)).filter((t) => t !== 'newer');
      expect(now).toEqual(survivors.map((i) => `n${String(i)}`));
    });

    it('drops every dead ref once writes carry a compaction through', async () => {
      const user = uniqueUser();
      const keys = userKeys(user);
      const memos = [];
      for (let i = 0; i < 300; i++) memos.push(await store.add(user, `m${String(i)}`));
      for (let i = 0; i < 300; i += 3) {
        await store.remove(user, memos[i]?.id ?? '');
        await store.remove(user, memos[i + 1]?.id ?? '');
      }
      for (let i = 0; i < 10; i++) {
        await store.add(user, 'more');
        const settled = (await redis.hget(keys.meta, 'moving')) === null;
        if (settled && Number(await redis.hget(keys.meta, 'dead')) < 64) break;
      }
      expect(await redis.hget(keys.meta, 'moving')).toBeNull();
      const live = Number(await redis.hget(keys.meta, 'count'));
      const dead = Number(await redis.hget(keys.meta, 'dead'));
      expect(dead).toBeLessThan(64);
      expect((await redis.llen(keys.list)) - dead).toBe(live);
      expect(await redis.hlen(keys.memos)).toBe(live);
    });

    it('keeps Korean, emoji and control characters byte for byte', async () => {
      const user = uniqueUser();
      const text = '한글 메모 🙂👍🏽 "quotes" \\ back\\slash \n\t line\u0000nul 𝄞 </script>';
      const memo = await store.add(user, text);
      expect((await store.list(user, 1)).memos[0]?.text).toBe(text);
      const edited = await store.update(user, memo.id, `${text} ✔`);
      expect(edited?.text).toBe(`${text} ✔`);
      expect((await store.list(user, 1)).memos[0]?.text).toBe(`${text} ✔`);
      // The same bytes after a migration from the original's plain string.
      const legacy = uniqueUser();
      await redis.lpush(userKeys(legacy).list, text);
      expect((await store.list(legacy, 1)).memos[0]).toMatchObject({ id: legacyId(text), text });
    });

    it('refuses what a quota does not allow, writing nothing, and says how much is used', async () => {
      const small = new MemoStore(redis, { maxCount: 3, maxBytes: 12 });
      const user = uniqueUser();
      const a = await small.add(user, 'abc');
      await small.add(user, 'def');
      await small.add(user, '가');
      const refused = await small.add(user, 'x').catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(QuotaExceeded);
      expect(refused).toMatchObject({
        which: 'memos',
        usage: { memos: { used: 3, limit: 3 }, bytes: { used: 9, limit: 12 } },
      });
      await small.remove(user, a.id);
      await small.add(user, 'wxyz');
      const page = await small.list(user, 10);
      expect(page.usage).toEqual({ memos: { used: 3, limit: 3 }, bytes: { used: 10, limit: 12 } });
      await small.remove(user, page.memos[0]?.id ?? '');
      await expect(small.add(user, '한글a')).rejects.toMatchObject({ which: 'bytes' });
      // Edits that grow past the byte quota are refused too, and leave the memo as it was.
      const target = page.memos[1];
      await expect(small.update(user, target?.id ?? '', 'defghijklm')).rejects.toMatchObject({ which: 'bytes' });
      expect(await small.update(user, target?.id ?? '', 'defghi')).toMatchObject({ text: 'defghi' });
      const after = await small.list(user, 10);
      expect(after.memos.map((m) => m.text)).toEqual(['defghi', 'def']);
      expect(after.usage.bytes.used).toBe(9);
      expect(await redis.hlen(userKeys(user).memos)).toBe(2);
    });
  });

  describe('pins', () => {
    it('puts pinned memos first, newest pin first, and pages through every other memo exactly once, at the cap', async () => {
      const user = uniqueUser();
      const texts = Array.from({ length: 1000 }, (_, i) => `memo ${String(i)}`);
      const ids = await seedCurrent(raw(), user, texts);
      // Pinned deep in the list and near the head, then one unpinned again.
      const order = [ids[10], ids[500], ids[998], ids[3]].map((id) => id ?? '');
      let at = Date.now();
      for (const id of order) expect(await store.pin(user, id, new Date((at += 1000)))).toBe(true);
      expect(await store.unpin(user, order[3] ?? '')).toBe(true);
      expect(await store.unpin(user, order[3] ?? '')).toBe(false);
      const first = await store.list(user, 7);
      expect(first.memos.slice(0, 3).map((m) => m.id)).toEqual([order[2], order[1], order[0]]);
      expect(first.memos.slice(0, 3).every((m) => typeof m.pinnedAt === 'string')).toBe(true);
      expect(first.memos[3]?.pinnedAt).toBeUndefined();
      const seen = await all(store, user, 7);
      expect(seen).toHaveLength(1000);
      expect(new Set(seen).size).toBe(1000);
      const pinnedTexts = [order[2], order[1], order[0]].map((id) => texts[ids.indexOf(id ?? '')]);
      expect(seen.slice(0, 3)).toEqual(pinnedTexts);
      // The rest, newest first, as without pins.
      expect(seen.slice(3)).toEqual([...texts].reverse().filter((t) => !pinnedTexts.includes(t)));
    });

    it('refuses a pin beyond the limit and of a missing memo; a deleted memo loses its pin', async () => {
      const user = uniqueUser();
      const few = new MemoStore(redis, { maxCount: 100, maxBytes: 100_000, maxPins: 2 });
      const [a, b, c] = await seedCurrent(raw(), user, ['a', 'b', 'c']);
      expect(await few.pin(user, a ?? '')).toBe(true);
      expect(await few.pin(user, b ?? '')).toBe(true);
      expect(await few.pin(user, b ?? '')).toBe(true);
      await expect(few.pin(user, c ?? '')).rejects.toThrow(/at most 2/);
      expect(await few.pin(user, 'm0000000000zzz')).toBe(false);
      expect(await few.remove(user, a ?? '')).toBe(true);
      expect(await redis.zcard(userKeys(user).pins)).toBe(1);
      expect(await few.pin(user, c ?? '')).toBe(true);
      expect((await few.list(user, 10)).memos.map((m) => m.text)).toEqual(['c', 'b']);
    });
  });

  describe('idempotent adds', () => {
    it('adds once per key and remembers the last IDEMPOTENCY_KEEP keys of a user only', async () => {
      const user = uniqueUser();
      const a = await store.addOnce(user, 'a', 'key-a-000');
      expect(a.replayed).toBe(false);
      expect(await store.addOnce(user, 'a again', 'key-a-000')).toEqual({ memo: a.memo, replayed: true });
      for (let i = 0; i < IDEMPOTENCY_KEEP; i++) await store.addOnce(user, `n ${String(i)}`, `key-n-${String(i)}`);
      expect(await redis.hlen(userKeys(user).idempotency)).toBe(IDEMPOTENCY_KEEP);
      expect(await redis.zcard(userKeys(user).idempotencyAt)).toBe(IDEMPOTENCY_KEEP);
      // The oldest key is forgotten: the same key now adds anew.
      expect((await store.addOnce(user, 'a', 'key-a-000')).replayed).toBe(false);
      expect((await store.addOnce(user, 'n', `key-n-${String(IDEMPOTENCY_KEEP - 1)}`)).replayed).toBe(true);
    });
  });

  describe('the byte quota counts text as stored (finding 7)', () => {
    it('counts JSON escapes: a control character six bytes, a quote two, Hangul three', async () => {
      const user = uniqueUser();
      await store.add(user, '\u0001');
      await store.add(user, '"\\');
      await store.add(user, '가\n');
      expect((await store.list(user, 10)).usage.bytes.used).toBe(6 + 4 + 5);
      const small = new MemoStore(redis, { maxCount: 1_000, maxBytes: 1_024 });
      const other = uniqueUser();
      await expect(small.add(other, '\u0001'.repeat(200))).rejects.toMatchObject({ which: 'bytes' });
      await small.add(other, 'a'.repeat(1_000));
    });
  });
}
