import { legacySessionKey, sessionKey, type RedisClient, type Session } from '@memo/common';
import {
  decodeEntry,
  encodeEntry,
  entryTail,
  newId,
  publicMemo,
  textSize,
  userKeys,
  type Memo,
  type UserKeys,
} from './layout.js';
import { ADD, DELETE, GET, MOVE, PAGE, PIN, REPLACE } from './scripts.js';

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
  memoPin(memos: string, pins: string, id: string, now: string, max: string): Promise<'ok' | 'missing' | 'full'>;
}

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
    redis.defineCommand('memoAdd', { numberOfKeys: 4, lua: ADD });
    redis.defineCommand('memoReplace', { numberOfKeys: 4, lua: REPLACE });
    redis.defineCommand('memoDelete', { numberOfKeys: 4, lua: DELETE });
    redis.defineCommand('memoMove', { numberOfKeys: 4, lua: MOVE });
    redis.defineCommand('memoPin', { numberOfKeys: 2, lua: PIN });
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
  async migrate(userId: string): Promise<number> {
    const running = this.moving.get(userId);
    if (running) {
      await running;
      return 0;
    }
    const move = (async () => {
      const keys = keyList(userKeys(userId));
      let steps = 0;
      for (;;) {
        const outcome = await this.redis.memoMove(...keys);
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
    return this.redis.memoMove(...keyList(userKeys(userId)));
  }

  /** One step of a move under way, after a write said one is due. */
  private async step(keys: string[], due: unknown): Promise<void> {
    if (due === 1) await this.redis.memoMove(...keys);
  }

  /** Runs `run`; if it answers 'migrate' or 'move', moves the memos first and runs it again. */
  private async afterMove(userId: string, run: () => Promise<Reply>): Promise<Reply> {
    let reply = await run();
    if (reply[0] === 'migrate' || reply[0] === 'move') {
      await this.migrate(userId);
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
    const legacy = await this.redis.get(legacySessionKey(session.sessionId));
    return legacy === session.userId ? this.list(session.userId, limit, cursor) : null;
  }

  /** Adds a memo at the top; QuotaExceeded when the user has no room left for it. */
  async add(userId: string, text: string, now = new Date()): Promise<Memo> {
    for (;;) {
      const memo: Memo = { id: newId(now.getTime()), text, createdAt: now.toISOString(), updatedAt: null };
      // A random id met twice: draw again.
      if ((await this.insert(userId, memo)) === 'added') return memo;
    }
  }

  /**
   * Puts back a memo as exported (its id and times kept) at the top, unless a memo with that id
   * is there already: 'added' or 'exists', so an import can run twice. QuotaExceeded as `add`.
   */
  async restore(userId: string, memo: Memo): Promise<'added' | 'exists'> {
    return this.insert(userId, memo);
  }

  /** One memo at the top, under its own id, unless that id is taken ('exists'). */
  private async insert(userId: string, memo: Memo): Promise<'added' | 'exists'> {
    const keys = keyList(userKeys(userId));
    const size = textSize(memo.text);
    const reply = await this.afterMove(userId, () =>
      this.redis.memoAdd(
        ...keys,
        memo.id,
        entryTail({ ...memo, size }),
        String(size),
        String(this.quotas.maxCount),
        String(this.quotas.maxBytes),
      ),
    );
    if (reply[0] === 'exists') return 'exists';
    this.quotaCheck(reply);
    await this.step(keys, reply[4]);
    return 'added';
  }

  /**
   * Pins a memo (pinned memos come first, newest pin first): true, or false when there is no
   * such memo; PinsFull at `maxPins`. Pinning a pinned memo changes nothing.
   */
  async pin(userId: string, id: string, now = new Date()): Promise<boolean> {
    const keys = userKeys(userId);
    if ((await this.entry(userId, keyList(keys), id)) === null) return false;
    const max = this.quotas.maxPins ?? PIN_MAX;
    const reply = await this.redis.memoPin(keys.memos, keys.pins, id, String(now.getTime()), String(max));
    if (reply === 'full') throw new PinsFull(max);
    return reply === 'ok';
  }

  /** Unpins a memo: true when it was pinned. */
  async unpin(userId: string, id: string): Promise<boolean> {
    return (await this.redis.zrem(userKeys(userId).pins, id)) === 1;
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
  async update(userId: string, id: string, text: string, now = new Date()): Promise<Memo | null> {
    const keys = keyList(userKeys(userId));
    for (let attempt = 0; attempt < REPLACE_TRIES; attempt += 1) {
      const raw = await this.entry(userId, keys, id);
      if (raw === null) return null;
      const old = decodeEntry(raw);
      const next = { ...old, text, size: textSize(text), updatedAt: now.toISOString() };
      const reply = await this.redis.memoReplace(
        ...keys,
        id,
        raw,
        encodeEntry(next),
        String(next.size - old.size),
        String(this.quotas.maxBytes),
      );
      if (reply[0] === 'missing') return null;
      if (reply[0] === 'changed') continue;
      this.quotaCheck(reply);
      await this.step(keys, reply[1]);
      return publicMemo(next);
    }
    throw new Error('memo changed too often to edit');
  }

  async remove(userId: string, id: string): Promise<boolean> {
    const keys = keyList(userKeys(userId));
    const reply = await this.afterMove(userId, () => this.redis.memoDelete(...keys, id));
    if (reply[0] !== 'ok') return false;
    // A pin of a deleted memo would only be skipped; it goes, so it does not count.
    await this.redis.zrem(userKeys(userId).pins, id);
    await this.step(keys, reply[1]);
    return true;
  }
}

/** The page script, for the bench's floor (which runs exactly what GET /memo runs in Redis). */
export { PAGE as PAGE_SCRIPT, SCRIPTS } from './scripts.js';
