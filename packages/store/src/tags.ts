import { legacySessionLive, memoKeys, sessionKey, tagKey, type Session } from '@memo/common';
import { TAGS_MAX_PER_USER, isUnder, renameTag, tagsOf } from '@memo/common/tags';
import { decodeEntry, publicMemo } from './layout.js';
import { REPLACE_TRIES, tagChange, type Memos } from './memos.js';
import type { Moves } from './moves.js';
import type { Scripts } from './runner.js';
import { usageOf, userOf, type Page, type Quotas, type Reply, type Writer } from './types.js';

/** A tag and how many memos carry it. */
export interface TagCount {
  tag: string;
  count: number;
}

/** Memos a rename reads and rewrites per round (each memo one compare-and-set script). */
const RENAME_BATCH = 32;
/** `tags:1` in a user's meta: their tag index covers every memo. */
const TAGS_BUILT = '1';

/**
 * The tag index (`#태그` in memo text, packages/common tags.ts): the tag list with counts, each
 * tag's memos by their place, kept by the scripts that write memos; pages of a tag; renames.
 */
export class Tags {
  /** Index builds under way in this process, by user. */
  private readonly building = new Map<string, Promise<void>>();

  constructor(
    private readonly scripts: Scripts,
    private readonly memos: Memos,
    private readonly moves: Moves,
    private readonly quotas: Quotas,
  ) {}

  /**
   * Builds the user's tag index if their memos predate it: every memo read once (HSCAN, 64 at
   * a time) and indexed by one small script each; writes keep it up to date from then on, and
   * keep it right meanwhile (indexing is idempotent and checks the memo did not change). A user
   * whose first memo came after tags has it built from the start. Bounded by the memo quota;
   * once per user.
   */
  async ensureIndex(userId: string): Promise<void> {
    const keys = memoKeys(userId);
    if ((await this.scripts.redis.hget(keys.meta, 'tags')) === TAGS_BUILT) return;
    const running = this.building.get(userId);
    if (running) return running;
    const build = (async () => {
      await this.moves.finish(userId);
      let cursor = '0';
      do {
        const [next, flat] = await this.scripts.redis.hscan(keys.memos, cursor, 'COUNT', 64);
        cursor = next;
        for (let k = 0; k + 1 < flat.length; k += 2) {
          const [id = '', raw = ''] = [flat[k], flat[k + 1]];
          const change = tagChange(userId, null, decodeEntry(raw).text);
          if (change.marks === '') continue;
          // 'changed': a write got there first and indexed what it wrote (or the memo is gone).
          await this.scripts.run(
            'retag',
            { memos: keys.memos, tags: keys.tags, tagSets: change.sets },
            { id, read: raw, marks: change.marks, maxTags: TAGS_MAX_PER_USER },
          );
        }
      } while (cursor !== '0');
      await this.scripts.run('tags-built', { meta: keys.meta });
    })();
    this.building.set(userId, build);
    try {
      await build;
    } finally {
      this.building.delete(userId);
    }
  }

  /** The user's tags, most used first (then by name), at most TAGS_MAX_PER_USER. O(log n + tags). */
  async list(userId: string): Promise<TagCount[]> {
    await this.ensureIndex(userId);
    const flat = await this.scripts.redis.zrevrange(memoKeys(userId).tags, 0, TAGS_MAX_PER_USER - 1, 'WITHSCORES');
    const tags: TagCount[] = [];
    for (let k = 0; k + 1 < flat.length; k += 2) tags.push({ tag: flat[k] ?? '', count: Number(flat[k + 1]) });
    return tags.sort((a, b) => b.count - a.count || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  }

  /**
   * A page of the memos carrying `tag` (or a tag under it), newest first, pinned ones in their
   * place with `pinnedAt`; `below` is the previous page's nextCursor seq. Null when the session
   * no longer lives. O(log n + limit).
   */
  async page(session: Session, tag: string, limit: number, below?: number): Promise<Page | null> {
    await this.ensureIndex(session.userId);
    const page = await this.pageOf(session.userId, tag, limit, below, session);
    if (page) return page;
    // A session minted before sessions moved into the user's slot is looked up where it was.
    return (await legacySessionLive(this.scripts.redis, session))
      ? this.pageOf(session.userId, tag, limit, below)
      : null;
  }

  private async pageOf(
    userId: string,
    tag: string,
    limit: number,
    below: number | undefined,
    session?: Session,
  ): Promise<Page | null> {
    const keys = memoKeys(userId);
    const reply = (await this.scripts.run(
      'tag-page',
      {
        memos: keys.memos,
        meta: keys.meta,
        set: tagKey(userId, tag),
        pins: keys.pins,
        session: session ? [sessionKey(userId, session.sessionId)] : [],
      },
      { limit, below: below === undefined ? '' : below, user: session ? userId : '' },
    )) as Reply;
    if (reply[0] === 'nosession') return null;
    const [, entries, pinnedAt, next, count, bytes] = reply as [string, string[], string[], number, number, number];
    return {
      memos: entries.map((raw, k) => {
        const memo = publicMemo(decodeEntry(raw));
        const at = pinnedAt[k];
        return at ? { ...memo, pinnedAt: new Date(Number(at)).toISOString() } : memo;
      }),
      nextCursor: next > 0 ? `t${String(next)}` : null,
      usage: usageOf(this.quotas, count, bytes),
    };
  }

  /**
   * Renames tag `from` to `to` in the text of every memo that carries it (tags under it
   * follow: `#from/x` → `#to/x`), one pass in order, RENAME_BATCH memos a round, each one
   * compare-and-set script like an edit. Safe to run again: a memo already renamed no longer
   * carries `from`, or (when `to` is under `from`, `a` → `a/b`) carries it only under `to`,
   * which renameTag leaves alone. A memo whose text would grow past `maxLength` is left as it
   * is (skipped). QuotaExceeded when the longer names do not fit the byte quota: what was
   * renamed stays.
   */
  async rename(
    writer: Writer,
    from: string,
    to: string,
    maxLength: number,
    now = new Date(),
  ): Promise<{ renamed: number; skipped: number }> {
    const userId = userOf(writer);
    await this.ensureIndex(userId);
    let renamed = 0;
    let skipped = 0;
    if (from === to) return { renamed, skipped };
    const set = tagKey(userId, from);
    let after = '-inf';
    for (;;) {
      const flat = await this.scripts.redis.zrangebyscore(set, after, '+inf', 'WITHSCORES', 'LIMIT', 0, RENAME_BATCH);
      if (flat.length === 0) break;
      for (let k = 0; k + 1 < flat.length; k += 2) {
        const id = flat[k] ?? '';
        after = `(${flat[k + 1] ?? ''}`;
        const outcome = await this.renameIn(writer, id, from, to, maxLength, now);
        if (outcome === 'renamed') renamed += 1;
        if (outcome === 'skipped') skipped += 1;
      }
    }
    return { renamed, skipped };
  }

  private async renameIn(
    writer: Writer,
    id: string,
    from: string,
    to: string,
    maxLength: number,
    now: Date,
  ): Promise<'renamed' | 'skipped' | 'unchanged' | 'gone'> {
    const userId = userOf(writer);
    const keys = memoKeys(userId);
    for (let attempt = 0; attempt < REPLACE_TRIES; attempt += 1) {
      const raw = await this.memos.entryMovedFirst(userId, id);
      const old = raw === null ? '' : decodeEntry(raw).text;
      if (raw === null || !tagsOf(old).some((t) => isUnder(t, from))) {
        // The index named a memo that no longer carries the tag: it forgets it.
        await this.scripts.run(
          'retag',
          { memos: keys.memos, tags: keys.tags, tagSets: [tagKey(userId, from)] },
          { id, read: raw ?? '', marks: '-', maxTags: 0 },
        );
        return 'gone';
      }
      const text = renameTag(old, from, to);
      if (text === old) return 'unchanged';
      if (Array.from(text).length > maxLength) return 'skipped';
      const outcome = await this.memos.replace(writer, id, raw, text, now);
      if (outcome === 'missing') return 'gone';
      if (outcome !== 'changed') return 'renamed';
    }
    throw new Error('memo changed too often to rename its tag');
  }
}
