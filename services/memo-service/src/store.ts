import { legacySessionLive, sessionKey, sessionsEndedKey, tagKey, type RedisClient, type Session } from '@memo/common';
import { TAGS_MAX_PER_USER, isUnder, renameTag, tagsOf } from '@memo/common/tags';
import {
  decodeEntry,
  encodeEntry,
  entryTail,
  newId,
  publicMemo,
  textSize,
  userKeys,
  type Entry,
  type Memo,
  type UserKeys,
} from './layout.js';
import { ADD, DELETE, GET, IMPORT, MOVE, PAGE, PIN, REPLACE, RETAG, TAG_PAGE } from './scripts.js';

export type { Memo } from './layout.js';
export { isMemoId, legacyId, memoKey, userKeys, LAYOUT_VERSION } from './layout.js';

/**
 * A user's memos (layout and costs: layout.ts; the scripts: scripts.ts). Every method is one
 * script on the user's keys, plus, when the user's memos are still in an earlier layout, the
 * steps that move them into this one first (each bounded; see `migrate`).
 */

export interface Usage {
  memos: { used: number; limit: number };
  bytes: { used: number; limit: number };
}

export interface Page {
  memos: Memo[];
  /** Opaque: pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
  usage: Usage;
}

/** Where a page starts: after `pos` older refs, below the memo numbered `seq` (0: unknown). */
export interface Cursor {
  pos: number;
  seq: number;
}

export interface Quotas {
  /** Memos a user may keep. */
  maxCount: number;
  /** UTF-8 bytes of text a user may keep. */
  maxBytes: number;
  /** Memos a user may pin (PIN_MAX when absent). */
  maxPins?: number;
}

/** Pins a user may have by default: the first page carries them all. */
export const PIN_MAX = 20;

/** Refused: the user has pinned as many memos as they may. */
export class PinsFull extends Error {
  constructor(readonly max: number) {
    super(`at most ${String(max)} pinned memos`);
    this.name = 'PinsFull';
  }
}

/** A write that would take a user past a quota; nothing was written. */
export class QuotaExceeded extends Error {
  readonly code = 'ERR_QUOTA_EXCEEDED';
  constructor(
    readonly which: 'memos' | 'bytes',
    readonly usage: Usage,
  ) {
    super(`quota of ${which} reached`);
    this.name = 'QuotaExceeded';
  }
}

/**
 * The session of a request ended while it ran (logout, 회원 탈퇴, Naver's unlink): nothing was
 * written. Every write script checks this in the same atomic step as its write.
 */
export class SessionEnded extends Error {
  readonly code = 'ERR_SESSION_ENDED';
  constructor() {
    super('the session ended');
    this.name = 'SessionEnded';
  }
}

/**
 * Who writes: the session of a request (every write script checks that it still lives, in the
 * same step as its write), or a user id: our own tools and tests, with no session to check.
 */
export type Writer = Session | string;

const userOf = (writer: Writer): string => (typeof writer === 'string' ? writer : writer.userId);

/** The guard every write script checks first (scripts.ts GUARD): its key, then its two values. */
function guard(writer: Writer): { key: string; argv: [string, string] } {
  if (typeof writer === 'string') return { key: userKeys(writer).meta, argv: ['', ''] };
  if (writer.legacy) {
    return { key: sessionsEndedKey(writer.userId), argv: ['l', String(writer.issuedAt * 1000)] };
  }
  return { key: sessionKey(writer.userId, writer.sessionId), argv: ['s', writer.userId] };
}

/** A memo to import: its text, and when it comes from an export, its id, times and pin. */
export type Incoming = string | Memo;

export interface ImportResult {
  imported: number;
  skipped: number;
  /** Set when the quotas stopped it: what came before stays. */
  quota?: QuotaExceeded;
}

/** Memos one import script takes (and at most IMPORT_BATCH_BYTES of their entries). */
export const IMPORT_BATCH = 200;
const IMPORT_BATCH_BYTES = 256 * 1024;

/** Refs a page may look at beyond its size (dead refs are skipped; the cursor moves on). */
const PAGE_SLACK = 256;
/** Compare-and-set rounds before an edit gives up on a memo that keeps changing. */
const REPLACE_TRIES = 5;

type Reply = (string | number | null | Reply)[];

interface StoreCommands {
  memoPage(...args: string[]): Promise<Reply>;
  memoGet(...args: string[]): Promise<string | Reply | null>;
  memoAdd(...args: string[]): Promise<Reply>;
  memoReplace(...args: string[]): Promise<Reply>;
  memoDelete(...args: string[]): Promise<Reply>;
  memoMove(...args: string[]): Promise<'idle' | 'more' | 'done'>;
  memoPin(...args: string[]): Promise<'ok' | 'missing' | 'full' | Reply>;
  memoImport(...args: string[]): Promise<Reply>;
  memoTagsBuilt(meta: string): Promise<number>;
  memoRetag(...args: string[]): Promise<'ok' | 'changed'>;
  memoTagPage(...args: string[]): Promise<Reply>;
}

/** A tag and how many memos carry it. */
export interface TagCount {
  tag: string;
  count: number;
}

/** Idempotency keys of adds remembered per user (a device's outbox holds far fewer). */
export const IDEMPOTENCY_KEEP = 200;

/** Memos a rename reads and rewrites per round (each memo one compare-and-set script). */
const RENAME_BATCH = 32;

/**
 * The keys and marks that move a memo's tag index from the tags of `before` to those of
 * `after` (texts; null: no memo): removals first, then additions; unchanged tags cost nothing.
 */
function retagArgs(userId: string, before: string | null, after: string | null): { keys: string[]; marks: string } {
  const was = new Set(before === null ? [] : tagsOf(before));
  const now = new Set(after === null ? [] : tagsOf(after));
  const gone = [...was].filter((t) => !now.has(t));
  const added = [...now].filter((t) => !was.has(t));
  return {
    keys: [userKeys(userId).tags, ...[...gone, ...added].map((t) => tagKey(userId, t))],
    marks: '-'.repeat(gone.length) + '+'.repeat(added.length),
  };
}

/** A variable-keys script's first arguments: how many keys, the memo keys, then the tag keys. */
const withKeys = (keys: readonly string[], tagKeys: readonly string[]): string[] => [
  String(keys.length + tagKeys.length),
  ...keys,
  ...tagKeys,
];

/**
 * A guarded write's arguments: how many keys, the guard's key, the memo keys and the tag keys,
 * then the guard's two values; the script's own ARGV follow.
 */
export const guarded = (writer: Writer, keys: readonly string[], tagKeys: readonly string[] = []): string[] => {
  const { key, argv } = guard(writer);
  return [...withKeys([key, ...keys], tagKeys), ...argv];
};

/** Marks the user's tag index built, unless the user has nothing (deleted meanwhile). */
const TAGS_BUILT_SCRIPT = `if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'tags', '1') return 1 end
return 0`;

/** `tags:1` in a user's meta: their tag index covers every memo (built once, see ensureTags). */
const TAGS_BUILT = '1';

const keyList = (k: UserKeys): string[] => [k.list, k.older, k.memos, k.meta];

export function formatCursor(cursor: Cursor): string {
  return `${String(cursor.pos)}.${String(cursor.seq)}`;
}

/** `<refs left>.<seq>`; the seq is absent in cursors handed out before layout 2. */
const CURSOR = /^([1-9]\d{0,9})(?:\.(\d{1,15}))?$/;

/** A cursor from its text (a nextCursor value), or null when it is not one. */
export function parseCursor(text: string): Cursor | null {
  const m = CURSOR.exec(text);
  return m ? { pos: Number(m[1]), seq: Number(m[2] ?? 0) } : null;
}

export class MemoStore {
  private readonly redis: RedisClient & StoreCommands;

  constructor(
    redis: RedisClient,
    private readonly quotas: Quotas,
  ) {
    redis.defineCommand('memoPage', { lua: PAGE });
    redis.defineCommand('memoGet', { numberOfKeys: 4, lua: GET });
    // Writes take the keys of the tags they change after the four of the memos: numkeys first.
    redis.defineCommand('memoAdd', { lua: ADD });
    redis.defineCommand('memoReplace', { lua: REPLACE });
    redis.defineCommand('memoDelete', { lua: DELETE });
    redis.defineCommand('memoRetag', { lua: RETAG });
    redis.defineCommand('memoTagPage', { lua: TAG_PAGE });
    redis.defineCommand('memoMove', { numberOfKeys: 4, lua: MOVE });
    redis.defineCommand('memoPin', { numberOfKeys: 3, lua: PIN });
    redis.defineCommand('memoImport', { lua: IMPORT });
    redis.defineCommand('memoTagsBuilt', { numberOfKeys: 1, lua: TAGS_BUILT_SCRIPT });
    this.redis = redis as RedisClient & StoreCommands;
  }

  private usage(count: number, bytes: number): Usage {
    return {
      memos: { used: count, limit: this.quotas.maxCount },
      bytes: { used: bytes, limit: this.quotas.maxBytes },
    };
  }

  /** Moves under way in this process, by user: concurrent requests of a user share one. */
  private readonly moving = new Map<string, Promise<number>>();

  /**
   * Moves the user's memos into this layout (or finishes a compaction under way), one bounded
   * step at a time, until done. Other users' commands run between the steps. Safe to run
   * from several places at once and to stop anywhere: each step is atomic. Within a process,
   * requests of the same user wait for the one move rather than each driving it. Returns the
   * steps this call took (0 when it waited for another's).
   */
  async migrate(userId: string, adopt = false): Promise<number> {
    const running = this.moving.get(userId);
    if (running) {
      await running;
      return 0;
    }
    const move = (async () => {
      const keys = keyList(userKeys(userId));
      let steps = 0;
      for (;;) {
        // `adopt` starts a move even when none is due (a reader met an entry the original
        // app pushed onto a list of this layout); a move under way goes on without it.
        const outcome = await this.redis.memoMove(...keys, adopt && steps === 0 ? '1' : '');
        if (outcome === 'idle') return steps;
        steps += 1;
        if (outcome === 'done') return steps;
      }
    })();
    this.moving.set(userId, move);
    try {
      return await move;
    } finally {
      this.moving.delete(userId);
    }
  }

  /** One bounded step of moving the user's memos (what `migrate` repeats). */
  async moveStep(userId: string): Promise<'idle' | 'more' | 'done'> {
    return this.redis.memoMove(...keyList(userKeys(userId)), '');
  }

  /** One step of a move under way, after a write said one is due. */
  private async step(keys: string[], due: unknown): Promise<void> {
    if (due === 1) await this.redis.memoMove(...keys, '');
  }

  /**
   * Runs `run`; if it answers 'migrate' (the user's memos are in an earlier layout) or 'move'
   * (it met an entry of an earlier layout in the order: one the original app pushed while both
   * apps share this Redis), moves the memos first, adopting such entries, and runs it again.
   * 'nosession': the writer's session ended (SessionEnded).
   */
  private async afterMove(userId: string, run: () => Promise<Reply>): Promise<Reply> {
    let reply = await run();
    if (reply[0] === 'migrate' || reply[0] === 'move') {
      await this.migrate(userId, reply[0] === 'move');
      reply = await run();
      if (reply[0] === 'migrate' || reply[0] === 'move') throw new Error(`memos of a user still moving: ${reply[0]}`);
    }
    return reply;
  }

  private toPage(reply: Reply): Page {
    const [, rest, last, entries, count, bytes, pinned = [], pinnedAt = []] = reply as [
      string,
      number,
      number,
      string[],
      number,
      number,
      string[]?,
      string[]?,
    ];
    const pins = pinned.map((raw, k): Memo => ({
      ...publicMemo(decodeEntry(raw)),
      pinnedAt: new Date(Number(pinnedAt[k])).toISOString(),
    }));
    return {
      memos: [...pins, ...entries.map((raw) => publicMemo(decodeEntry(raw)))],
      nextCursor: rest > 0 ? formatCursor({ pos: rest, seq: last }) : null,
      usage: this.usage(count, bytes),
    };
  }

  private pageArgs(limit: number, cursor?: Cursor): string[] {
    return [String(limit), String(cursor?.pos ?? -1), String(cursor?.seq ?? 0), String(limit + PAGE_SLACK)];
  }

  /** Newest first. `cursor` is what the previous page returned as nextCursor. */
  async list(userId: string, limit: number, cursor?: Cursor): Promise<Page> {
    const keys = keyList(userKeys(userId));
    const reply = await this.afterMove(userId, () =>
      this.redis.memoPage('5', ...keys, userKeys(userId).pins, ...this.pageArgs(limit, cursor)),
    );
    return this.toPage(reply);
  }

  /**
   * A page of the session's user, or null when the session no longer lives (logout), asked in
   * the same command: the session lives in the user's slot. A session minted before sessions
   * moved there is looked up where it was, in a second command.
   */
  async listIfLive(session: Session, limit: number, cursor?: Cursor): Promise<Page | null> {
    const keys = keyList(userKeys(session.userId));
    const reply = await this.afterMove(session.userId, () =>
      this.redis.memoPage(
        '6',
        ...keys,
        userKeys(session.userId).pins,
        sessionKey(session.userId, session.sessionId),
        ...this.pageArgs(limit, cursor),
        session.userId,
      ),
    );
    if (reply[0] !== 'nosession') return this.toPage(reply);
    return (await legacySessionLive(this.redis, session)) ? this.list(session.userId, limit, cursor) : null;
  }

  /** A write's reply, or SessionEnded when its guard refused it. */
  private written<T>(reply: T): T {
    if (Array.isArray(reply) && reply[0] === 'nosession') throw new SessionEnded();
    return reply;
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
    const userId = userOf(writer);
    for (;;) {
      const memo: Memo = { id: newId(now.getTime()), text, createdAt: now.toISOString(), updatedAt: null };
      const outcome = await this.insert(writer, memo, key, now);
      if (outcome === 'added') return { memo, replayed: false };
      if (outcome !== 'exists') {
        const raw = await this.entry(userId, keyList(userKeys(userId)), outcome.replay);
        return { memo: raw === null ? null : publicMemo(decodeEntry(raw)), replayed: true };
      }
      // A random id met twice: draw again.
    }
  }

  /**
   * One memo at the top, under its own id, unless that id is taken ('exists') or the
   * idempotency key was used (the id of the memo it made).
   */
  private async insert(
    writer: Writer,
    memo: Memo,
    key: string,
    now: Date,
  ): Promise<'added' | 'exists' | { replay: string }> {
    const userId = userOf(writer);
    const all = userKeys(userId);
    const keys = [...keyList(all), all.idempotency, all.idempotencyAt];
    const size = textSize(memo.text);
    const tags = retagArgs(userId, null, memo.text);
    const reply = await this.afterMove(userId, () =>
      this.redis.memoAdd(
        ...guarded(writer, keys, tags.keys),
        memo.id,
        entryTail({ ...memo, size }),
        String(size),
        String(this.quotas.maxCount),
        String(this.quotas.maxBytes),
        tags.marks,
        String(TAGS_MAX_PER_USER),
        key,
        String(now.getTime()),
        String(IDEMPOTENCY_KEEP),
      ),
    );
    this.written(reply);
    if (reply[0] === 'exists') return 'exists';
    if (reply[0] === 'replay') return { replay: String(reply[1]) };
    this.quotaCheck(reply);
    await this.step(keyList(all), reply[4]);
    return 'added';
  }

  /**
   * Imports memos, given oldest first (each lands on top of the one before): a text becomes a
   * new memo; an exported memo keeps its id, times and pin, and is skipped when its id is here
   * already, so an import can run twice. IMPORT_BATCH memos a script, each script a fixed
   * number of commands plus one per tag: a whole import at the memo quota is a handful of
   * scripts. Stops at the quotas (`quota` in the result; what came before stays).
   */
  async importMemos(writer: Writer, incoming: readonly Incoming[], now = new Date()): Promise<ImportResult> {
    const userId = userOf(writer);
    const all = userKeys(userId);
    const keys = [...keyList(all), all.pins, all.tags];
    const result: ImportResult = { imported: 0, skipped: 0 };
    for (let from = 0; from < incoming.length;) {
      const tagKeys: string[] = [];
      const tagIndex = new Map<string, number>();
      const argv: string[] = [];
      let n = 0;
      let bytes = 0;
      for (; from < incoming.length && n < IMPORT_BATCH && bytes < IMPORT_BATCH_BYTES; from += 1, n += 1) {
        const item = incoming[from] as Incoming;
        const memo: Memo =
          typeof item === 'string'
            ? { id: newId(now.getTime()), text: item, createdAt: now.toISOString(), updatedAt: null }
            : item;
        const size = textSize(memo.text);
        const numbers = tagsOf(memo.text).map((tag) => {
          let i = tagIndex.get(tag);
          if (i === undefined) {
            tagKeys.push(tagKey(userId, tag));
            i = tagKeys.length;
            tagIndex.set(tag, i);
          }
          return String(i);
        });
        const tail = entryTail({ ...memo, size });
        const pinAt = memo.pinnedAt ? String(Date.parse(memo.pinnedAt)) : '';
        argv.push(memo.id, tail, String(size), pinAt, numbers.join(','));
        bytes += tail.length;
      }
      const reply = this.written(
        await this.afterMove(userId, () =>
          this.redis.memoImport(
            ...guarded(writer, keys, tagKeys),
            String(this.quotas.maxCount),
            String(this.quotas.maxBytes),
            String(this.quotas.maxPins ?? PIN_MAX),
            String(TAGS_MAX_PER_USER),
            String(n),
            ...argv,
          ),
        ),
      );
      const [, added, skipped, quota, count, used, due] = reply as [
        string,
        number,
        number,
        string,
        number,
        number,
        number,
      ];
      result.imported += added;
      result.skipped += skipped;
      await this.step(keyList(all), due);
      if (quota === 'memos' || quota === 'bytes') {
        return { ...result, quota: new QuotaExceeded(quota, this.usage(count, used)) };
      }
    }
    return result;
  }

  /**
   * Pins a memo (pinned memos come first, newest pin first): true, or false when there is no
   * such memo; PinsFull at `maxPins`. Pinning a pinned memo changes nothing.
   */
  async pin(writer: Writer, id: string, now = new Date()): Promise<boolean> {
    const userId = userOf(writer);
    const keys = userKeys(userId);
    if ((await this.entry(userId, keyList(keys), id)) === null) return false;
    const max = this.quotas.maxPins ?? PIN_MAX;
    const reply = this.written(
      await this.redis.memoPin(
        ...guarded(writer, [keys.memos, keys.pins]).slice(1),
        id,
        String(now.getTime()),
        String(max),
      ),
    );
    if (reply === 'full') throw new PinsFull(max);
    return reply === 'ok';
  }

  /** Unpins a memo: true when it was pinned. */
  async unpin(writer: Writer, id: string): Promise<boolean> {
    return (await this.redis.zrem(userKeys(userOf(writer)).pins, id)) === 1;
  }

  private quotaCheck(reply: Reply): void {
    if (reply[0] === 'quota') {
      const [, which, count, bytes] = reply as [string, 'memos' | 'bytes', number, number];
      throw new QuotaExceeded(which, this.usage(count, bytes));
    }
  }

  /** Reads an entry (moving the user's memos into this layout first if need be). */
  private async entry(userId: string, keys: string[], id: string): Promise<string | null> {
    let raw = await this.redis.memoGet(...keys, id);
    if (Array.isArray(raw)) {
      await this.migrate(userId);
      raw = await this.redis.memoGet(...keys, id);
    }
    return typeof raw === 'string' ? raw : null;
  }

  /** Replaces a memo's text, keeping its id, place and creation time; null when there is none. */
  async update(writer: Writer, id: string, text: string, now = new Date()): Promise<Memo | null> {
    const keys = keyList(userKeys(userOf(writer)));
    for (let attempt = 0; attempt < REPLACE_TRIES; attempt += 1) {
      const raw = await this.entry(userOf(writer), keys, id);
      if (raw === null) return null;
      const outcome = await this.replace(writer, keys, id, raw, text, now);
      if (outcome === 'missing') return null;
      if (outcome !== 'changed') return publicMemo(outcome);
    }
    throw new Error('memo changed too often to edit');
  }

  /**
   * One compare-and-set of a memo's text, as read (`raw`), with its tags and the byte quota
   * (QuotaExceeded): the entry written, or 'changed' (read again and retry) or 'missing'.
   */
  private async replace(
    writer: Writer,
    keys: string[],
    id: string,
    raw: string,
    text: string,
    now: Date,
  ): Promise<Entry | 'changed' | 'missing'> {
    const old = decodeEntry(raw);
    const next = { ...old, text, size: textSize(text), updatedAt: now.toISOString() };
    const tags = retagArgs(userOf(writer), old.text, text);
    const reply = this.written(
      await this.redis.memoReplace(
        ...guarded(writer, keys, tags.keys),
        id,
        raw,
        encodeEntry(next),
        String(next.size - old.size),
        String(this.quotas.maxBytes),
        tags.marks,
        String(TAGS_MAX_PER_USER),
      ),
    );
    if (reply[0] === 'missing' || reply[0] === 'changed') return reply[0];
    this.quotaCheck(reply);
    await this.step(keys, reply[1]);
    return next;
  }

  /** Tag index builds under way in this process, by user (as `moving`). */
  private readonly tagging = new Map<string, Promise<void>>();

  /**
   * Builds the user's tag index if their memos predate it: every memo read once (HSCAN, 64 at
   * a time) and indexed by one small script each; writes keep it up to date from then on, and
   * keep it right meanwhile (indexing is idempotent and checks the memo did not change).
   * Bounded by the memo quota; once per user.
   */
  async ensureTags(userId: string): Promise<void> {
    const keys = userKeys(userId);
    if ((await this.redis.hget(keys.meta, 'tags')) === TAGS_BUILT) return;
    const running = this.tagging.get(userId);
    if (running) return running;
    const build = (async () => {
      await this.migrate(userId);
      const base = keyList(keys);
      let cursor = '0';
      do {
        const [next, flat] = await this.redis.hscan(keys.memos, cursor, 'COUNT', 64);
        cursor = next;
        for (let k = 0; k + 1 < flat.length; k += 2) {
          const [id = '', raw = ''] = [flat[k], flat[k + 1]];
          const tags = retagArgs(userId, null, decodeEntry(raw).text);
          if (tags.marks === '') continue;
          // 'changed': a write got there first and indexed what it wrote (or the memo is gone).
          await this.redis.memoRetag(...withKeys(base, tags.keys), id, raw, tags.marks, String(TAGS_MAX_PER_USER));
        }
      } while (cursor !== '0');
      // Not when the user was deleted meanwhile: that would make a key of theirs again.
      await this.redis.memoTagsBuilt(keys.meta);
    })();
    this.tagging.set(userId, build);
    try {
      await build;
    } finally {
      this.tagging.delete(userId);
    }
  }

  /** The user's tags, most used first (then by name), at most TAGS_MAX_PER_USER. O(log n + tags). */
  async tags(userId: string): Promise<TagCount[]> {
    await this.ensureTags(userId);
    const flat = await this.redis.zrevrange(userKeys(userId).tags, 0, TAGS_MAX_PER_USER - 1, 'WITHSCORES');
    const tags: TagCount[] = [];
    for (let k = 0; k + 1 < flat.length; k += 2) tags.push({ tag: flat[k] ?? '', count: Number(flat[k + 1]) });
    return tags.sort((a, b) => b.count - a.count || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  }

  /**
   * A page of the memos carrying `tag` (or a tag under it), newest first, pinned ones in their
   * place with `pinnedAt`; `below` is the previous page's nextCursor seq. Null when the session
   * no longer lives. O(log n + limit).
   */
  async listTagged(session: Session, tag: string, limit: number, below?: number): Promise<Page | null> {
    await this.ensureTags(session.userId);
    const page = await this.tagPage(session.userId, tag, limit, below, session);
    if (page) return page;
    // A session minted before sessions moved into the user's slot is looked up where it was.
    return (await legacySessionLive(this.redis, session)) ? this.tagPage(session.userId, tag, limit, below) : null;
  }

  private async tagPage(
    userId: string,
    tag: string,
    limit: number,
    below: number | undefined,
    session?: Session,
  ): Promise<Page | null> {
    const keys = userKeys(userId);
    const live = session ? [sessionKey(userId, session.sessionId)] : [];
    const reply = await this.redis.memoTagPage(
      String(4 + live.length),
      keys.memos,
      keys.meta,
      tagKey(userId, tag),
      keys.pins,
      ...live,
      String(limit),
      below === undefined ? '' : String(below),
      userId,
    );
    if (reply[0] === 'nosession') return null;
    const [, entries, pinnedAt, next, count, bytes] = reply as [string, string[], string[], number, number, number];
    return {
      memos: entries.map((raw, k) => {
        const memo = publicMemo(decodeEntry(raw));
        const at = pinnedAt[k];
        return at ? { ...memo, pinnedAt: new Date(Number(at)).toISOString() } : memo;
      }),
      nextCursor: next > 0 ? `t${String(next)}` : null,
      usage: this.usage(count, bytes),
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
  async renameTag(
    writer: Writer,
    from: string,
    to: string,
    maxLength: number,
    now = new Date(),
  ): Promise<{ renamed: number; skipped: number }> {
    const userId = userOf(writer);
    await this.ensureTags(userId);
    let renamed = 0;
    let skipped = 0;
    if (from === to) return { renamed, skipped };
    const set = tagKey(userId, from);
    let after = '-inf';
    for (;;) {
      const flat = await this.redis.zrangebyscore(set, after, '+inf', 'WITHSCORES', 'LIMIT', 0, RENAME_BATCH);
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
    const keys = keyList(userKeys(userId));
    for (let attempt = 0; attempt < REPLACE_TRIES; attempt += 1) {
      const raw = await this.entry(userId, keys, id);
      const old = raw === null ? '' : decodeEntry(raw).text;
      if (raw === null || !tagsOf(old).some((t) => isUnder(t, from))) {
        // The index named a memo that no longer carries the tag: it forgets it.
        const fix = [userKeys(userId).tags, tagKey(userId, from)];
        await this.redis.memoRetag(...withKeys(keys, fix), id, raw ?? '', '-', '0');
        return 'gone';
      }
      const text = renameTag(old, from, to);
      if (text === old) return 'unchanged';
      if (Array.from(text).length > maxLength) return 'skipped';
      const outcome = await this.replace(writer, keys, id, raw, text, now);
      if (outcome === 'missing') return 'gone';
      if (outcome !== 'changed') return 'renamed';
    }
    throw new Error('memo changed too often to rename its tag');
  }

  async remove(writer: Writer, id: string): Promise<boolean> {
    const userId = userOf(writer);
    const keys = keyList(userKeys(userId));
    let reply: Reply = ['changed'];
    // Read first, for the tags to take out of the index; deleted only if unchanged since.
    for (let attempt = 0; attempt < REPLACE_TRIES && reply[0] === 'changed'; attempt += 1) {
      const raw = await this.entry(userId, keys, id);
      if (raw === null) return false;
      const tags = retagArgs(userId, decodeEntry(raw).text, null);
      reply = this.written(await this.redis.memoDelete(...guarded(writer, keys, tags.keys), id, raw, tags.marks));
    }
    if (reply[0] === 'changed') throw new Error('memo changed too often to delete');
    if (reply[0] !== 'ok') return false;
    // A pin of a deleted memo would only be skipped; it goes, so it does not count.
    await this.redis.zrem(userKeys(userId).pins, id);
    await this.step(keys, reply[1]);
    return true;
  }
}

/** The page script, for the bench's floor (which runs exactly what GET /memo runs in Redis). */
export { PAGE as PAGE_SCRIPT, SCRIPTS } from './scripts.js';
