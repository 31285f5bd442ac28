import { describe, expect, it } from 'vitest';
import { accountKeys, legacySessionKey, sessionKey, sessionsEndedKey, tagKey, type Session } from '@memo/common';
import { MemoStore, QuotaExceeded, SessionEnded, userKeys } from '@memo/store';
import { uniqueUser } from '@memo/testing/env';
import { all, raw, redis, store } from './connect.js';

/**
 * Who may write: sessions that ended, the original app beside this one, imports in batches;
 * against one Redis (store.test.ts) and a Redis Cluster (cluster.test.ts).
 */
export function writersSuite(): void {
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
}
