import { createHash, randomFillSync } from 'node:crypto';
import { memoKeys, type MemoKeys } from '@memo/common';
import type { Memo } from '@memo/common/api-types';

/**
 * How a user's memos are kept in Redis: layout version 2 (docs/data.md says the same, with
 * the reasons).
 *
 *   memo:<u>             LIST  the order, newest first: refs `<seq base 36>:<memo id>`. The
 *                              original app's key (its LPUSH/LRANGE list), kept as the order.
 *   {memo:<u>}:memos     HASH  memo id -> entry (JSON, below)
 *   {memo:<u>}:meta      HASH  v (layout version, 2), seq (last sequence number), count (live
 *                              memos), bytes (UTF-8 bytes of their texts), dead (refs whose
 *                              memo is gone), moving (1 while a move is under way), w (writes
 *                              that changed what a page shows)
 *   {memo:<u>}:page1     HASH  the first page as last sent, answered as it is while w and the
 *                              list's length are what they were (page.lua, keep.lua)
 *   {memo:<u>}:older     LIST  refs, only while a move is under way: the order is then
 *                              memo:<u> followed by this list
 *
 * `{memo:<u>}` is a Redis Cluster hash tag whose slot is the slot of the bare key `memo:<u>`,
 * so every key of a user lives in one slot and each operation is one script on one node.
 *
 * Costs: add, edit and delete touch one hash field and at most one list end: O(1). A page
 * reads `limit` refs from a list offset and their entries: O(page) (a list offset walks the
 * list's nodes, a few hundred refs each, not its elements). Deleting leaves the memo's ref in
 * the list ("dead"); once dead refs pass a quarter of the live ones, every write also moves a
 * bounded batch of refs from the list's old end to `{memo:<u>}:older`, dropping the dead, until
 * the list is compact again. The same move converts the entries of the earlier layouts
 * (below) when a user is first touched: every step is one atomic script that leaves each memo
 * in exactly one place, so a move can stop anywhere and be resumed by anyone.
 *
 * Earlier layouts, read by the migration only: the original app (layout 0) pushed plain
 * strings onto memo:<u>; layout 1 pushed JSON entries `{"v":1,"id","text","createdAt",
 * "updatedAt"}` onto the same list. Both may be mixed in one list.
 */

export const LAYOUT_VERSION = 2;

/** A memo as the API shows it (packages/common api-types.ts, shared with the page). */
export type { Memo };

/** A memo as stored: its place in the order and the size its text counts against the quota. */
export interface Entry extends Memo {
  seq: number;
  size: number;
}

/** A user's keys (their shape and meaning: MemoKeys in packages/common). */
export type UserKeys = MemoKeys;

/** The keys of a user's memos; named once, in packages/common (account deletion removes them). */
export function userKeys(userId: string): UserKeys {
  return memoKeys(userId);
}

/** The original key of a user's memos (its order list). */
export const memoKey = (userId: string): string => userKeys(userId).list;

const ID = /^(m[0-9a-z]{10,40}|o[0-9a-f]{20})$/;

export function isMemoId(id: string): boolean {
  return ID.test(id);
}

/**
 * Random bytes for ids, drawn 4 KiB at a time: one `randomFillSync` per 682 ids instead of a
 * `randomBytes` call per id (~10 µs each, a tenth of a POST's CPU; docs/benchmarks.md). Ids
 * are not secrets (every read is checked against the session's user); crypto.randomUUID pools
 * its randomness the same way.
 */
const POOL = Buffer.alloc(4096);
let drawn = POOL.length;
function randomHex(bytes: number): string {
  if (drawn + bytes > POOL.length) {
    randomFillSync(POOL);
    drawn = 0;
  }
  const hex = POOL.toString('hex', drawn, drawn + bytes);
  drawn += bytes;
  return hex;
}

/** Time-ordered ids: base-36 milliseconds, then randomness. */
export function newId(now = Date.now()): string {
  return `m${now.toString(36).padStart(9, '0')}${randomHex(6)}`;
}

/** The id the original app's plain-string entries are known by: stable for the same text. */
export function legacyId(text: string): string {
  return `o${createHash('sha1').update(text, 'utf8').digest('hex').slice(0, 20)}`;
}

/**
 * The bytes a text counts against the quota: as stored, inside its JSON entry (escapes
 * included), so that the quota means the same memory whatever the characters: a control
 * character is six bytes there (`\u0001`), not one. The MOVE script counts the same way.
 */
export const textSize = (text: string): number => Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;

/**
 * An entry as stored. The leading fields are fixed (`{"seq":N,"size":N,"id":"…"`) so that the
 * scripts read them with one pattern; the script that adds a memo writes `{"seq":N,` itself,
 * followed by `entryTail`.
 */
export function encodeEntry(entry: Entry): string {
  return `{"seq":${String(entry.seq)},${entryTail(entry)}`;
}

export function entryTail(memo: Memo & { size: number }): string {
  return tailOf(memo, memo.size, JSON.stringify(memo.text));
}

/** A new memo's size and entry tail, its text escaped once for both (an add's hot path). */
export function sizedTail(memo: Memo): { size: number; tail: string } {
  const text = JSON.stringify(memo.text);
  const size = Buffer.byteLength(text, 'utf8') - 2;
  return { size, tail: tailOf(memo, size, text) };
}

function tailOf(memo: Memo, size: number, text: string): string {
  // Written field by field (what JSON.stringify of the object writes, without its `{`): one
  // string less on every add and edit, and only the text needs escaping.
  const time = (t: string | null): string => (t === null ? 'null' : JSON.stringify(t));
  return `"size":${String(size)},"id":${JSON.stringify(memo.id)},"text":${text},"createdAt":${time(memo.createdAt)},"updatedAt":${time(memo.updatedAt)}}`;
}

export function decodeEntry(raw: string): Entry {
  const value = JSON.parse(raw) as Partial<Entry>;
  if (typeof value.id !== 'string' || typeof value.text !== 'string' || typeof value.seq !== 'number') {
    throw new Error('not a memo entry');
  }
  return {
    seq: value.seq,
    size: typeof value.size === 'number' ? value.size : textSize(value.text),
    id: value.id,
    text: value.text,
    createdAt: typeof value.createdAt === 'string' ? value.createdAt : null,
    updatedAt: typeof value.updatedAt === 'string' ? value.updatedAt : null,
  };
}

/** The fixed start of an entry, which the API does not show. */
const ENTRY_HEAD = /^\{"seq":\d+,"size":\d+,(?="id":)/;

/**
 * What the API shows of an entry, as JSON text: the entry without its head, spliced rather than
 * parsed and written again (every script writes the fields after the head in the API's order:
 * id, text, createdAt, updatedAt). An entry of another shape goes the long way.
 */
export function publicJson(raw: string): string {
  const head = ENTRY_HEAD.exec(raw);
  return head ? `{${raw.slice(head[0].length)}` : JSON.stringify(publicMemo(decodeEntry(raw)));
}

/** What the API shows of an entry. */
export function publicMemo(entry: Entry): Memo {
  return { id: entry.id, text: entry.text, createdAt: entry.createdAt, updatedAt: entry.updatedAt };
}

/** A list element of layout 2. */
export const ref = (seq: number, id: string): string => `${seq.toString(36)}:${id}`;
