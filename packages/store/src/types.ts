import {
  memoKeys,
  sessionKey,
  sessionsEndedKey,
  shareKey,
  type MemoKeys,
  type RedisClient,
  type Session,
} from '@memo/common';

/** What the store's modules share: quotas and their refusals, pages and cursors, who writes. */

export type { Usage } from '@memo/common/api-types';
import type { Page as ApiPage, Usage } from '@memo/common/api-types';

/** A page as the store reads it: the API's, without the limits the routes add. */
export type Page = Omit<ApiPage, 'limits'>;

/** A page with its memos as JSON text (an array), ready to send. */
export interface PageJson {
  memos: string;
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
  /** Bytes of text a user may keep, as stored (layout.ts textSize). */
  maxBytes: number;
  /** Memos a user may pin (PIN_MAX when absent). */
  maxPins?: number;
  /**
   * Days a deleted memo stays in the trash, restorable (0 or absent: a delete is final). The
   * trash counts in the usage: the quotas bound all a user keeps.
   */
  trashDays?: number;
  /**
   * Earlier versions of an edited memo its history keeps (0 or absent: none). They count in the
   * bytes; at the byte quota a memo's oldest versions give way to its edit.
   */
  historyVersions?: number;
  /** Share links a user may have at once (SHARE_MAX when absent). */
  maxShares?: number;
}

/** How many versions a memo's history keeps. */
export const versionsKept = (quotas: Quotas): number => Math.max(0, Math.floor(quotas.historyVersions ?? 0));

/** How long the trash keeps a memo, in ms (0: no trash). */
export const trashMs = (quotas: Quotas): number => Math.max(0, quotas.trashDays ?? 0) * 86_400_000;

/** Pins a user may have by default: the first page carries them all. */
export const PIN_MAX = 20;

export const usageOf = (quotas: Quotas, count: number, bytes: number): Usage => ({
  memos: { used: count, limit: quotas.maxCount },
  bytes: { used: bytes, limit: quotas.maxBytes },
});

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

/** A script's reply: strings, numbers, null and lists of them. */
export type Reply = (string | number | null | Reply)[];

/**
 * Who writes: the session of a request (every write script checks that it still lives, in the
 * same step as its write), or a user id: our own tools and tests, with no session to check.
 */
export type Writer = Session | string;

export const userOf = (writer: Writer): string => (typeof writer === 'string' ? writer : writer.userId);

/**
 * A writer's guard (commands/includes/guard.lua): its key and its two values, flat: the
 * scripts' arguments are built as object literals, never by spreading (V8 makes a spread
 * object slow to read: it halved the adds a second, measured).
 */
export interface Guard {
  guard: string;
  guardMode: string;
  guardValue: string;
}

export function guardOf(writer: Writer): Guard {
  if (typeof writer === 'string') return { guard: memoKeys(writer).meta, guardMode: '', guardValue: '' };
  if (writer.legacy) {
    return { guard: sessionsEndedKey(writer.userId), guardMode: 'l', guardValue: String(writer.issuedAt * 1000) };
  }
  return { guard: sessionKey(writer.userId, writer.sessionId), guardMode: 's', guardValue: writer.userId };
}

/** A write script's reply, or SessionEnded when its guard refused it. */
export function written<T>(reply: T): T {
  if (Array.isArray(reply) && reply[0] === 'nosession') throw new SessionEnded();
  return reply;
}

/** The four keys of the order and the entries, as the order scripts name them (get, move). */
export const orderKeys = (k: MemoKeys): { list: string; older: string; memos: string; meta: string } => ({
  list: k.list,
  older: k.older,
  memos: k.memos,
  meta: k.meta,
});

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

/**
 * Drops share links' lookup keys (`share:<token>`, each in a slot of its own): after the script
 * that ended the links in the user's slot. A failure here leaves a key that no longer opens
 * anything (share-open.lua checks the user's links), which its next opening drops.
 */
export async function dropLookups(redis: RedisClient, tokens: readonly string[]): Promise<void> {
  await Promise.all(tokens.map((token) => redis.unlink(shareKey(token)).catch(() => 0)));
}
