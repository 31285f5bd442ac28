import { describe, expect, it } from 'vitest';
import { sessionKey } from '@memo/common';
import { MemoStore, QuotaExceeded, userKeys } from '@memo/store';
import { seedCurrent } from '@memo/testing/seed';
import { uniqueUser } from '@memo/testing/env';
import { all, raw, redis, store } from './connect.js';

/** The tag index and renames, against one Redis (store.test.ts) and a Redis Cluster (cluster.test.ts). */
export function tagsSuite(): void {
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
