import { memoKeys, sessionKey, legacySessionLive, tagKey, type Session } from '@memo/common';
import { TAGS_MAX_PER_USER, tagsOf } from '@memo/common/tags';
import {
  decodeEntry,
  encodeEntry,
  sizedTail,
  newId,
  publicJson,
  publicMemo,
  textSize,
  type Entry,
  type Memo,
} from './layout.js';
import type { Moves } from './moves.js';
import type { Scripts } from './runner.js';
import {
  QuotaExceeded,
  dropLookups,
  formatCursor,
  guardOf,
  orderKeys,
  trashMs,
  usageOf,
  versionsKept,
  userOf,
  written,
  type Cursor,
  type Page,
  type PageJson,
  type Quotas,
  type Reply,
  type Usage,
  type Writer,
} from './types.js';

/** Refs a page may look at beyond its size (dead refs are skipped; the cursor moves on). */
const PAGE_SLACK = 256;
/** Compare-and-set rounds before an edit gives up on a memo that keeps changing. */
export const REPLACE_TRIES = 5;
/** Idempotency keys of adds remembered per user (a device's outbox holds far fewer). */
export const IDEMPOTENCY_KEEP = 200;
/**
 * The first page as sent is kept in Redis (keep.lua) and answered as it is until the user's
 * next write: up to this many bytes of memos' JSON a user (a larger page is built each time:
 * sending it costs more than building it), for this long after it was last built.
 */
export const FIRST_PAGE_KEEP_BYTES = 64 * 1024;
export const FIRST_PAGE_KEEP_MS = 10 * 60 * 1000;
/** The form of the JSON text toPageJson writes: a kept page of another form is not answered. */
const PAGE_FORM = 'j1';

/** The page script's answer, named. */
interface PageParts {
  /** The memos as JSON text (a kept page), or their entries (pinned first) to be made into it. */
  json: string | null;
  entries: string[];
  pinned: string[];
  pinnedAt: string[];
  rest: number;
  last: number;
  nextCursor: string | null;
  usage: Usage;
  /** Where the page may be kept: its key and the write count it was read at (null: not kept). */
  keep: { key: string; w: string } | null;
}

/**
 * The tag sets a memo's write changes, from the tags of `before` to those of `after` (texts;
 * null: no memo): removals first, then additions, with a mark each; unchanged tags cost nothing.
 */
export function tagChange(
  userId: string,
  before: string | null,
  after: string | null,
): { sets: string[]; marks: string } {
  const was = new Set(before === null ? [] : tagsOf(before));
  const now = new Set(after === null ? [] : tagsOf(after));
  const gone = [...was].filter((t) => !now.has(t));
  const added = [...now].filter((t) => !was.has(t));
  return {
    sets: [...gone, ...added].map((t) => tagKey(userId, t)),
    marks: '-'.repeat(gone.length) + '+'.repeat(added.length),
  };
}

/**
 * The version an edit keeps of the text it replaces (history.lua reads it back; history.ts):
 * its size, when it was written and replaced, and the text.
 */
export function versionEntry(old: Entry, now: Date): string {
  const at = old.updatedAt ?? old.createdAt;
  return `{"size":${String(old.size)},"at":${at === null ? 'null' : JSON.stringify(at)},"replacedAt":${JSON.stringify(now.toISOString())},"text":${JSON.stringify(old.text)}}`;
}

/** The mark of a task box, ticked or not (`[ ]`, `[x]`, `[X]`). */
const isBoxMark = (c: string | undefined): boolean => c === ' ' || c === 'x' || c === 'X';

/**
 * Whether `after` differs from `before` only in task boxes ticked or unticked (`[ ]` ↔ `[x]`),
 * as the page's task boxes change a memo: such an edit keeps no version, so that ticking off a
 * list does not push the memo's real edits out of its history. O(text), one pass.
 */
export function onlyTicks(before: string, after: string): boolean {
  if (before.length !== after.length || before === after) return false;
  for (let i = 0; i < before.length; i += 1) {
    if (before[i] === after[i]) continue;
    if (!isBoxMark(before[i]) || !isBoxMark(after[i]) || before[i - 1] !== '[' || before[i + 1] !== ']') return false;
  }
  return true;
}

/** A user's memos: pages, add, edit, delete (layout.ts; the scripts in commands/). */
export class Memos {
  constructor(
    private readonly scripts: Scripts,
    private readonly moves: Moves,
    private readonly quotas: Quotas,
  ) {}

  private quotaCheck(reply: Reply): void {
    if (reply[0] === 'quota') {
      const [, which, count, bytes] = reply as [string, 'memos' | 'bytes', number, number];
      throw new QuotaExceeded(which, usageOf(this.quotas, count, bytes));
    }
  }

  /**
   * The page script's answer, named: the entries, the pinned ones with their pin times (ISO),
   * where the next page starts, and the usage; or a kept first page's JSON text.
   */
  private pageParts(reply: Reply): PageParts {
    const usage = (count: unknown, bytes: unknown): Usage => usageOf(this.quotas, Number(count), Number(bytes));
    const cursorAfter = (rest: number, last: number): string | null =>
      rest > 0 ? formatCursor({ pos: rest, seq: last }) : null;
    if (reply[0] === 'kept') {
      const [, rest, last, json, count, bytes] = reply as [string, number, number, string, number, number];
      const nextCursor = cursorAfter(rest, last);
      return {
        json,
        entries: [],
        pinned: [],
        pinnedAt: [],
        rest,
        last,
        nextCursor,
        usage: usage(count, bytes),
        keep: null,
      };
    }
    const [, rest, last, entries, count, bytes, pinned = [], pinnedAt = [], key = '', w = ''] = reply as [
      string,
      number,
      number,
      string[],
      number,
      number,
      string[]?,
      string[]?,
      string?,
      string?,
    ];
    return {
      json: null,
      entries,
      pinned,
      pinnedAt: pinnedAt.map((at) => new Date(Number(at)).toISOString()),
      rest,
      last,
      nextCursor: cursorAfter(rest, last),
      usage: usage(count, bytes),
      keep: key === '' ? null : { key, w },
    };
  }

  private toPage(reply: Reply): Page {
    const { entries, pinned, pinnedAt, nextCursor, usage } = this.pageParts(reply);
    const pins = pinned.map((raw, k): Memo => ({ ...publicMemo(decodeEntry(raw)), pinnedAt: pinnedAt[k] }));
    return { memos: [...pins, ...entries.map((raw) => publicMemo(decodeEntry(raw)))], nextCursor, usage };
  }

  /** `form`: the first page may be answered as kept, in that form ('' : never). */
  private page(
    userId: string,
    limit: number,
    cursor: Cursor | undefined,
    session?: Session,
    form = '',
  ): Promise<Reply> {
    const keys = memoKeys(userId);
    return this.moves.runMoved(
      userId,
      () =>
        this.scripts.run(
          'page',
          {
            list: keys.list,
            older: keys.older,
            memos: keys.memos,
            meta: keys.meta,
            pins: keys.pins,
            firstPage: keys.firstPage,
            session: session ? [sessionKey(userId, session.sessionId)] : [],
          },
          {
            limit,
            pos: cursor?.pos ?? -1,
            seq: cursor?.seq ?? 0,
            budget: limit + PAGE_SLACK,
            user: session ? userId : '',
            form,
          },
        ) as Promise<Reply>,
    );
  }

  /**
   * A page as the API's JSON text: as kept, or its memos spliced from the entries (publicJson),
   * then kept when it may be (keep.lua).
   */
  private async toPageJson(userId: string, reply: Reply): Promise<PageJson> {
    const { json, entries, pinned, pinnedAt, rest, last, nextCursor, usage, keep } = this.pageParts(reply);
    if (json !== null) return { memos: json, nextCursor, usage };
    const memos = pinned.map((raw, k) => `${publicJson(raw).slice(0, -1)},"pinnedAt":"${pinnedAt[k] ?? ''}"}`);
    for (const raw of entries) memos.push(publicJson(raw));
    const text = `[${memos.join(',')}]`;
    if (keep && text.length <= FIRST_PAGE_KEEP_BYTES) {
      const keys = memoKeys(userId);
      try {
        await this.scripts.run(
          'keep',
          { meta: keys.meta, firstPage: keys.firstPage },
          { w: keep.w, key: keep.key, json: text, rest, last, ttl: FIRST_PAGE_KEEP_MS },
        );
      } catch {
        // Keeping only saves the next read some work: refused (Redis at its memory ceiling,
        // a failover), the page is still right, and the next read builds it again.
      }
    }
    return { memos: text, nextCursor, usage };
  }

  /**
   * The page script's answer for the session's user, or null when the session no longer lives
   * (logout), asked in the same command: the session lives in the user's slot. A session minted
   * before sessions moved there is looked up where it was, in a second command.
   */
  private async livePage(session: Session, limit: number, cursor?: Cursor, form = ''): Promise<Reply | null> {
    const reply = await this.page(session.userId, limit, cursor, session, form);
    if (reply[0] !== 'nosession') return reply;
    return (await legacySessionLive(this.scripts.redis, session))
      ? this.page(session.userId, limit, cursor, undefined, form)
      : null;
  }

  /**
   * As listIfLive, with the memos as JSON text, ready to send: GET /memo, the hottest answer.
   * The first page is answered as kept while the user wrote nothing since (page.lua): none of
   * its memos is read, parsed or written again.
   */
  async listJsonIfLive(session: Session, limit: number, cursor?: Cursor): Promise<PageJson | null> {
    const reply = await this.livePage(session, limit, cursor, PAGE_FORM);
    return reply && this.toPageJson(session.userId, reply);
  }

  /** Newest first. `cursor` is what the previous page returned as nextCursor. */
  async list(userId: string, limit: number, cursor?: Cursor): Promise<Page> {
    return this.toPage(await this.page(userId, limit, cursor));
  }

  /** A page of the session's user, or null when the session no longer lives (livePage). */
  async listIfLive(session: Session, limit: number, cursor?: Cursor): Promise<Page | null> {
    const reply = await this.livePage(session, limit, cursor);
    return reply && this.toPage(reply);
  }

  /**
   * An entry by id, or null; the user's memos are moved into this layout first when they are
   * still in an earlier one (the name says so: reads elsewhere never move).
   */
  async entryMovedFirst(userId: string, id: string): Promise<string | null> {
    const get = async (): Promise<Reply> => {
      const raw = await this.scripts.run('get', orderKeys(memoKeys(userId)), { id });
      return Array.isArray(raw) ? (raw as Reply) : ['entry', typeof raw === 'string' ? raw : null];
    };
    const reply = await this.moves.runMoved(userId, get);
    return typeof reply[1] === 'string' ? reply[1] : null;
  }

  /** Adds a memo at the top; QuotaExceeded when the user has no room left for it. */
  async add(writer: Writer, text: string, now = new Date()): Promise<Memo> {
    return (await this.addOnce(writer, text, '', now)).memo as Memo;
  }

  /**
   * Adds a memo unless an add with the same idempotency `key` ('' for none) did already: then
   * nothing is added and the answer is the memo that add made (null if it was deleted since),
   * with `replayed`. The last IDEMPOTENCY_KEEP keys of a user are remembered.
   */
  async addOnce(
    writer: Writer,
    text: string,
    key: string,
    now = new Date(),
  ): Promise<{ memo: Memo | null; replayed: boolean }> {
    for (;;) {
      const memo: Memo = { id: newId(now.getTime()), text, createdAt: now.toISOString(), updatedAt: null };
      const outcome = await this.insert(writer, memo, key, now);
      if (outcome === 'added') return { memo, replayed: false };
      if (outcome !== 'exists') {
        const raw = await this.entryMovedFirst(userOf(writer), outcome.replay);
        return { memo: raw === null ? null : publicMemo(decodeEntry(raw)), replayed: true };
      }
      // A random id met twice: draw again.
    }
  }

  /** One memo at the top, unless its id is taken ('exists') or the idempotency key was used. */
  private async insert(
    writer: Writer,
    memo: Memo,
    key: string,
    now: Date,
  ): Promise<'added' | 'exists' | { replay: string }> {
    const userId = userOf(writer);
    const keys = memoKeys(userId);
    const { size, tail } = sizedTail(memo);
    const tags = tagChange(userId, null, memo.text);
    const guard = guardOf(writer);
    const reply = written(
      await this.moves.runMoved(
        userId,
        () =>
          this.scripts.run(
            'add',
            {
              guard: guard.guard,
              list: keys.list,
              older: keys.older,
              memos: keys.memos,
              meta: keys.meta,
              idem: keys.idempotency,
              idemAt: keys.idempotencyAt,
              tags: keys.tags,
              trash: keys.trash,
              trashAt: keys.trashAt,
              tagSets: tags.sets,
            },
            {
              guardMode: guard.guardMode,
              guardValue: guard.guardValue,
              id: memo.id,
              tail,
              size,
              maxCount: this.quotas.maxCount,
              maxBytes: this.quotas.maxBytes,
              marks: tags.marks,
              maxTags: TAGS_MAX_PER_USER,
              key,
              now: now.getTime(),
              keep: IDEMPOTENCY_KEEP,
            },
          ) as Promise<Reply>,
      ),
    );
    if (reply[0] === 'exists') return 'exists';
    if (reply[0] === 'replay') return { replay: String(reply[1]) };
    this.quotaCheck(reply);
    await this.moves.stepIfDue(userId, reply[4]);
    return 'added';
  }

  /** Replaces a memo's text, keeping its id, place and creation time; null when there is none. */
  async update(writer: Writer, id: string, text: string, now = new Date()): Promise<Memo | null> {
    for (let attempt = 0; attempt < REPLACE_TRIES; attempt += 1) {
      const raw = await this.entryMovedFirst(userOf(writer), id);
      if (raw === null) return null;
      const outcome = await this.replace(writer, id, raw, text, now);
      if (outcome === 'missing') return null;
      if (outcome !== 'changed') return publicMemo(outcome);
    }
    throw new Error('memo changed too often to edit');
  }

  /**
   * One compare-and-set of a memo's text, as read (`raw`), with its tags and the byte quota
   * (QuotaExceeded): the entry written, or 'changed' (read again and retry) or 'missing'.
   */
  async replace(
    writer: Writer,
    id: string,
    raw: string,
    text: string,
    now: Date,
  ): Promise<Entry | 'changed' | 'missing'> {
    const userId = userOf(writer);
    const keys = memoKeys(userId);
    const old = decodeEntry(raw);
    const next = { ...old, text, size: textSize(text), updatedAt: now.toISOString() };
    const tags = tagChange(userId, old.text, text);
    const version = old.text === text || onlyTicks(old.text, text) ? '' : versionEntry(old, now);
    const guard = guardOf(writer);
    const reply = written(
      (await this.scripts.run(
        'replace',
        {
          guard: guard.guard,
          memos: keys.memos,
          meta: keys.meta,
          tags: keys.tags,
          trash: keys.trash,
          trashAt: keys.trashAt,
          history: keys.history,
          tagSets: tags.sets,
        },
        {
          guardMode: guard.guardMode,
          guardValue: guard.guardValue,
          id,
          read: raw,
          entry: encodeEntry(next),
          delta: next.size - old.size,
          maxBytes: this.quotas.maxBytes,
          marks: tags.marks,
          maxTags: TAGS_MAX_PER_USER,
          versions: versionsKept(this.quotas),
          version,
          vsize: old.size,
        },
      )) as Reply,
    );
    if (reply[0] === 'missing' || reply[0] === 'changed') return reply[0];
    this.quotaCheck(reply);
    await this.moves.stepIfDue(userId, reply[1]);
    return next;
  }

  /**
   * Deletes a memo (read first, for the tags to take out; deleted only if unchanged since): to
   * the trash for its days when the quotas give it some (trash.ts), else for good.
   */
  async remove(writer: Writer, id: string): Promise<boolean> {
    const keys = memoKeys(userOf(writer));
    const guard = guardOf(writer);
    return this.takeOff(
      writer,
      id,
      'delete',
      async (raw, tags) =>
        this.scripts.run(
          'delete',
          {
            guard: guard.guard,
            list: keys.list,
            older: keys.older,
            memos: keys.memos,
            meta: keys.meta,
            pins: keys.pins,
            trash: keys.trash,
            trashAt: keys.trashAt,
            history: keys.history,
            shares: keys.shares,
            tags: keys.tags,
            tagSets: tags.sets,
          },
          {
            guardMode: guard.guardMode,
            guardValue: guard.guardValue,
            id,
            read: raw,
            marks: tags.marks,
            trashMs: trashMs(this.quotas),
            now: Date.now(),
          },
        ) as Promise<Reply>,
    );
  }

  /**
   * Takes a memo off the list by `script` (delete, archive), read first for the tags to take out
   * and taken only if unchanged since (`run` is handed the entry and its tag change): whether it
   * was there. Its share link ends with it (the script drops it; its lookup key goes here). A
   * move step follows when one is due.
   */
  async takeOff(
    writer: Writer,
    id: string,
    what: string,
    run: (raw: string, tags: { sets: string[]; marks: string }) => Promise<Reply>,
  ): Promise<boolean> {
    const userId = userOf(writer);
    let reply: Reply = ['changed'];
    for (let attempt = 0; attempt < REPLACE_TRIES && reply[0] === 'changed'; attempt += 1) {
      const raw = await this.entryMovedFirst(userId, id);
      if (raw === null) return false;
      reply = written(await run(raw, tagChange(userId, decodeEntry(raw).text, null)));
    }
    if (reply[0] === 'changed') throw new Error(`memo changed too often to ${what}`);
    if (reply[0] !== 'ok') return false;
    if (typeof reply[2] === 'string' && reply[2] !== '') await dropLookups(this.scripts.redis, [reply[2]]);
    await this.moves.stepIfDue(userId, reply[1]);
    return true;
  }
}
