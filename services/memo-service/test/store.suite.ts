import type { RedisClient, RedisWhere } from '@memo/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountKeys,
  createLogger,
  createRedis,
  legacySessionKey,
  sessionKey,
  sessionsEndedKey,
  tagKey,
  waitReady,
  type Session,
} from '@memo/common';
import type { Redis } from 'ioredis';
import {
  IDEMPOTENCY_KEEP,
  MemoStore,
  QuotaExceeded,
  SessionEnded,
  legacyId,
  parseCursor,
  userKeys,
  type Cursor,
  type Page,
} from '../src/store.js';
import { MOVE_WORK } from '../src/store.js';
import { seedCurrent, seedLegacy } from '@memo/testing/seed';
import { uniqueUser } from '@memo/testing/env';

/** The store's behaviour, run against one Redis (store.test.ts) and a Redis Cluster (cluster.test.ts). */
export function storeSuite(where: () => RedisWhere): void {
  let redis: RedisClient;
  let store: MemoStore;

  beforeAll(async () => {
    redis = createRedis(where(), createLogger('test', 'silent'));
    await waitReady(redis);
    store = new MemoStore(redis, { maxCount: 100_000, maxBytes: 100_000_000 });
  });
  afterAll(() => redis.disconnect());

  /** The cursor of the next page (undefined on the last). */
  const next = (page: Page): Cursor | undefined =>
    page.nextCursor === null ? undefined : (parseCursor(page.nextCursor) ?? undefined);

  /** Every memo's text, newest first, read page by page. */
  async function all(s: MemoStore, user: string, limit = 7): Promise<string[]> {
    const texts: string[] = [];
    let page = await s.list(user, limit);
    texts.push(...page.memos.map((m) => m.text));
    for (let cursor = next(page); cursor; cursor = next(page)) {
      page = await s.list(user, limit, cursor);
      texts.push(...page.memos.map((m) => m.text));
    }
    return texts;
  }

  /** Seeds with raw commands (the seed helpers take a plain ioredis client or a Cluster alike). */
  const raw = (): Redis => redis as Redis;

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

  describe('tags', () => {
    /** Every memo of a tag, newest first, page by page (`limit` a page), and the pages it took. */
    async function tagged(s: MemoStore, user: string, tag: string, limit = 7): Promise<string[]> {
      const texts: string[] = [];
      let below: number | undefined;
      for (;;) {
        const page = await s.listTagged({ userId: user, sessionId: 's', expiresAt: 0, issuedAt: 0 }, tag, limit, below);
        if (!page) throw new Error('no session');
        texts.push(...page.memos.map((m) => m.text));
        if (!page.nextCursor) return texts;
        below = Number(page.nextCursor.slice(1));
      }
    }
    const live = async (user: string): Promise<void> => {
      await redis.set(sessionKey(user, 's'), user);
    };

    it('indexes memos written before tags existed once, then keeps up with adds, edits and deletes, at the cap', async () => {
      const user = uniqueUser();
      await live(user);
      const capped = new MemoStore(redis, { maxCount: 1000, maxBytes: 1_000_000 });
      // 1,000 memos seeded with raw commands (no index yet): every third carries #일, every
      // fifth #일/회의 (so #일 too), one in code only.
      const texts = Array.from({ length: 1000 }, (_, i) =>
        i === 7 ? '`#일` 코드 속' : `메모 ${String(i)}${i % 3 === 0 ? ' #일' : ''}${i % 5 === 0 ? ' #일/회의' : ''}`,
      );
      const ids = await seedCurrent(raw(), user, texts);
      const withWork = texts.filter((_, i) => i !== 7 && (i % 3 === 0 || i % 5 === 0));
      const meetings = texts.filter((_, i) => i % 5 === 0);
      expect(await capped.tags(user)).toEqual([
        { tag: '일', count: withWork.length },
        { tag: '일/회의', count: meetings.length },
      ]);
      expect(await tagged(capped, user, '일')).toEqual([...withWork].reverse());
      expect(await tagged(capped, user, '일/회의', 50)).toEqual([...meetings].reverse());
      expect(await tagged(capped, user, '없음')).toEqual([]);
      // At the cap, an add is refused and the index is unchanged.
      await expect(capped.add(user, '하나 더 #일')).rejects.toBeInstanceOf(QuotaExceeded);
      // Edit: tags that go and come; delete: its tags go.
      expect(await capped.update(user, ids[0] ?? '', '바뀐 메모 #새')).not.toBeNull();
      expect(await capped.remove(user, ids[3] ?? '')).toBe(true);
      const counts = Object.fromEntries((await capped.tags(user)).map((t) => [t.tag, t.count]));
      expect(counts).toEqual({ 일: withWork.length - 2, '일/회의': meetings.length - 1, 새: 1 });
      const page = await capped.listTagged({ userId: user, sessionId: 's', expiresAt: 0, issuedAt: 0 }, '새', 10);
      expect(page?.memos.map((m) => m.text)).toEqual(['바뀐 메모 #새']);
      // A session that ended sees nothing.
      expect(
        await capped.listTagged({ userId: user, sessionId: 'gone', expiresAt: 0, issuedAt: 0 }, '일', 10),
      ).toBeNull();
    });

    it('renames a tag and the tags under it in every memo, once, safe to run again', async () => {
      const user = uniqueUser();
      await live(user);
      for (const text of ['#일 하나', '#일/회의 둘', '#일상 셋', '`#일` 넷', '#업무 다섯', '#일 #일/회의 여섯']) {
        await store.add(user, text);
      }
      expect(await store.renameTag(user, '일', '업무', 10_000)).toEqual({ renamed: 3, skipped: 0 });
      expect(await all(store, user)).toEqual([
        '#업무 #업무/회의 여섯',
        '#업무 다섯',
        '`#일` 넷',
        '#일상 셋',
        '#업무/회의 둘',
        '#업무 하나',
      ]);
      expect(await store.renameTag(user, '일', '업무', 10_000)).toEqual({ renamed: 0, skipped: 0 });
      const counts = Object.fromEntries((await store.tags(user)).map((t) => [t.tag, t.count]));
      expect(counts).toEqual({ 업무: 4, '업무/회의': 2, 일상: 1 });
      expect(await tagged(store, user, '업무/회의')).toEqual(['#업무 #업무/회의 여섯', '#업무/회의 둘']);
    });

    it('skips a memo the new name makes too long, refuses past the byte quota, and heals a stale index', async () => {
      const user = uniqueUser();
      await live(user);
      const tight = new MemoStore(redis, { maxCount: 100, maxBytes: 60 });
      await tight.add(user, '#a 짧은');
      await tight.add(user, `#a ${'x'.repeat(10)}`);
      expect(await tight.renameTag(user, 'a', 'abcd', 13)).toEqual({ renamed: 1, skipped: 1 });
      await expect(tight.renameTag(user, 'a', 'b'.repeat(50), 10_000)).rejects.toBeInstanceOf(QuotaExceeded);
      expect((await tight.tags(user)).map((t) => t.tag).sort()).toEqual(['a', 'abcd']);
      // An index entry that names a memo without the tag (written by hand here) goes on the next rename.
      const [id] = (await tight.list(user, 1)).memos.map((m) => m.id);
      await redis.zadd(`${userKeys(user).tags}:zz`, 1, id ?? '');
      await redis.zadd(userKeys(user).tags, 1, 'zz');
      expect(await tight.renameTag(user, 'zz', 'yy', 10_000)).toEqual({ renamed: 0, skipped: 0 });
      expect((await tight.tags(user)).map((t) => t.tag).sort()).toEqual(['a', 'abcd']);
    });
  });

  describe('writes of a session that ended (issue 20, findings 3 and 9)', () => {
    const now = (): number => Math.floor(Date.now() / 1000);
    const sessionOf = (user: string, extra: Partial<Session> = {}): Session => ({
      userId: user,
      sessionId: `s-${user}`,
      expiresAt: now() + 600,
      issuedAt: now() - 10,
      ...extra,
    });
    /** Every key of the user that exists (each asked alone: on a Cluster they may be anywhere). */
    async function keysOf(user: string, tags: string[] = []): Promise<string[]> {
      const keys = [...accountKeys(user), ...tags.map((t) => tagKey(user, t)), sessionsEndedKey(user)];
      const there: string[] = [];
      for (const key of keys) if ((await redis.exists(key)) === 1) there.push(key);
      return there;
    }
    const everyWrite = (session: Session, id: string): [string, () => Promise<unknown>][] => [
      ['add', () => store.add(session, 'new #t')],
      ['add with a key', () => store.addOnce(session, 'new #t', 'key-0123456789')],
      ['edit', () => store.update(session, id, 'edited #t')],
      ['delete', () => store.remove(session, id)],
      ['pin', () => store.pin(session, id)],
      ['import', () => store.importMemos(session, ['one #t', 'two #u'])],
      ['rename', () => store.renameTag(session, 't', 'v', 10_000)],
    ];

    it('refuses every write once the session is gone (logout), changing nothing', async () => {
      const user = uniqueUser();
      const session = sessionOf(user);
      await redis.set(sessionKey(user, session.sessionId), user, 'EX', 600);
      const memo = await store.add(session, 'kept #t');
      await redis.del(sessionKey(user, session.sessionId));
      const before = await all(store, user);
      // (The tag index being built once is not a write of the user's: leave it out.)
      const meta = (): Promise<Record<string, string>> =>
        redis.hgetall(userKeys(user).meta).then(({ tags: _built, ...rest }) => rest);
      const metaBefore = await meta();
      for (const [name, write] of everyWrite(session, memo.id)) {
        await expect(write(), name).rejects.toBeInstanceOf(SessionEnded);
      }
      expect(await all(store, user)).toEqual(before);
      expect(await meta()).toEqual(metaBefore);
    });

    it('recreates no key of a deleted user, whatever write was in flight', async () => {
      const user = uniqueUser();
      const session = sessionOf(user);
      await redis.set(sessionKey(user, session.sessionId), user, 'EX', 600);
      const memo = await store.add(session, 'gone #t');
      await store.pin(session, memo.id);
      // 회원 탈퇴: the sessions and every key go (what AccountEraser unlinks).
      for (const key of [sessionKey(user, session.sessionId), ...accountKeys(user), tagKey(user, 't')]) {
        await redis.del(key);
      }
      for (const [name, write] of everyWrite(session, memo.id)) {
        await write().catch((err: unknown) => {
          if (!(err instanceof SessionEnded)) throw err;
        });
        expect(await keysOf(user, ['t', 'u', 'v']), name).toEqual([]);
      }
    });

    it('voids sessions minted before sessions moved into the slot once the account is erased after them', async () => {
      const user = uniqueUser();
      const legacy = sessionOf(user, { legacy: true, issuedAt: now() - 100 });
      await redis.set(legacySessionKey(legacy.sessionId), user, 'EX', 600);
      await store.add(legacy, 'before');
      await expect(store.listIfLive(legacy, 10)).resolves.not.toBeNull();
      await redis.set(sessionsEndedKey(user), String(Date.now()), 'EX', 600);
      await expect(store.add(legacy, 'after')).rejects.toBeInstanceOf(SessionEnded);
      await expect(store.importMemos(legacy, ['after'])).rejects.toBeInstanceOf(SessionEnded);
      await expect(store.listIfLive(legacy, 10)).resolves.toBeNull();
      // One minted after the mark (before the move was complete, on an old replica) still writes.
      const later = sessionOf(user, { legacy: true, sessionId: `t-${user}`, issuedAt: now() + 1 });
      await expect(store.add(later, 'later')).resolves.toMatchObject({ text: 'later' });
      expect(await all(store, user)).toEqual(['later', 'before']);
      // The mark names nobody: it lives in the user's slot under another tag and a digest.
      expect(sessionsEndedKey(user)).not.toContain(user);
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

  describe('the original app writing beside this one (finding 12)', () => {
    it('adopts a memo the original LPUSHes onto a moved user: the next page shows it first, never an error', async () => {
      const user = uniqueUser();
      for (const text of ['one', 'two']) await store.add(user, text);
      await raw().lpush(userKeys(user).list, '원래 앱의 메모');
      expect((await store.list(user, 10)).memos.map((m) => m.text)).toEqual(['원래 앱의 메모', 'two', 'one']);
      // And one pushed under a newer memo of ours (both apps writing in turn): adopted as the
      // newest (seqs only grow towards the head, docs/data.md), nothing lost.
      await raw().lpush(userKeys(user).list, '또 하나');
      await store.add(user, 'three');
      expect((await store.list(user, 10)).memos.map((m) => m.text)).toEqual([
        '또 하나',
        'three',
        '원래 앱의 메모',
        'two',
        'one',
      ]);
      const page = await store.list(user, 10);
      expect(page.usage.memos.used).toBe(5);
      await expect(store.update(user, page.memos[1]?.id ?? '', '고침')).resolves.toMatchObject({ text: '고침' });
    });
  });

  describe('imports in batches (finding 5)', () => {
    it('imports memos, ids and pins in a few scripts, merging by id, stopping at the quota', async () => {
      const user = uniqueUser();
      const small = new MemoStore(redis, { maxCount: 450, maxBytes: 1_000_000, maxPins: 3 });
      const at = (i: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
      const memos = Array.from({ length: 400 }, (_, i) => ({
        id: `m${String(i).padStart(11, '0')}`,
        text: `memo ${String(i)} #tag${String(i % 7)} #all`,
        createdAt: at(i),
        updatedAt: null,
        ...(i % 100 === 0 ? { pinnedAt: at(i + 1_000) } : {}),
      }));
      expect(await small.importMemos(user, memos)).toEqual({ imported: 400, skipped: 0 });
      expect(await small.importMemos(user, memos)).toEqual({ imported: 0, skipped: 400 });
      const page = await small.list(user, 2);
      // Pins up to the limit (3 of 4: the file's oldest first), newest pin first, then the newest memos.
      expect(page.memos.map((m) => m.text.split(' #')[0])).toEqual([
        'memo 200',
        'memo 100',
        'memo 0',
        'memo 399',
        'memo 398',
      ]);
      const counts = Object.fromEntries((await small.tags(user)).map((t) => [t.tag, t.count]));
      expect(counts.all).toBe(400);
      expect(counts.tag0).toBe(58);
      // Texts: 60 more fit the count, the rest is refused with what came in before.
      const result = await small.importMemos(
        user,
        Array.from({ length: 60 }, (_, i) => `text ${String(i)}`),
      );
      expect(result).toMatchObject({ imported: 50, skipped: 0 });
      expect(result.quota).toBeInstanceOf(QuotaExceeded);
      expect(result.quota?.which).toBe('memos');
      expect((await small.list(user, 1)).memos[0]?.text.split(' #')[0]).toBe('memo 200');
    });
  });

  describe('renames into a tag under the old one (finding 11)', () => {
    it('renames a to a/a once: running it again changes nothing', async () => {
      const user = uniqueUser();
      for (const text of ['#a 하나', '#a/b 둘', '#b 셋']) await store.add(user, text);
      expect(await store.renameTag(user, 'a', 'a/a', 10_000)).toEqual({ renamed: 2, skipped: 0 });
      const once = await all(store, user);
      expect(once).toEqual(['#b 셋', '#a/a/b 둘', '#a/a 하나']);
      for (let i = 0; i < 2; i++) {
        expect(await store.renameTag(user, 'a', 'a/a', 10_000)).toEqual({ renamed: 0, skipped: 0 });
        expect(await all(store, user)).toEqual(once);
      }
    });
  });
}
