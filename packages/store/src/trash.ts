import { memoKeys } from '@memo/common';
import { TAGS_MAX_PER_USER } from '@memo/common/tags';
import { decodeEntry, publicMemo, type Memo } from './layout.js';
import { REPLACE_TRIES, tagChange } from './memos.js';
import type { Scripts } from './runner.js';
import { guardOf, trashMs, userOf, written, type Quotas, type Reply, type Writer } from './types.js';

/** Refused: a memo of this id is in the list again (an import brought it back); nothing changed. */
export class RestoreConflict extends Error {
  constructor(readonly id: string) {
    super(`a memo ${id} is in the list already`);
    this.name = 'RestoreConflict';
  }
}

/**
 * Puts a memo kept off the list (in the trash or the archive: `shelf`, a hash of entries) back
 * at the top of the list by `run` (its script, handed the entry and its tags to add): the memo,
 * or null when it is not there; RestoreConflict when a memo of its id is in the list again.
 */
export async function putBack(
  scripts: Scripts,
  writer: Writer,
  id: string,
  shelf: string,
  run: (raw: string, tags: { sets: string[]; marks: string }) => Promise<Reply>,
): Promise<Memo | null> {
  const userId = userOf(writer);
  const done = await onShelf(scripts, shelf, id, 'put back', (raw) =>
    run(raw, tagChange(userId, null, decodeEntry(raw).text)),
  );
  if (done?.reply[0] === 'exists') throw new RestoreConflict(id);
  return done?.reply[0] === 'ok' ? publicMemo(decodeEntry(done.raw)) : null;
}

/**
 * Runs a memo's script on a shelf (the trash, the archive: `shelf`, a hash of entries) with the
 * entry as read, and again while it changed between the read and the script: the entry and the
 * script's last answer, or null when the memo is not there. `what` names the work in the error
 * when it keeps changing.
 */
export async function onShelf(
  scripts: Scripts,
  shelf: string,
  id: string,
  what: string,
  run: (raw: string) => Promise<Reply>,
): Promise<{ raw: string; reply: Reply } | null> {
  for (let attempt = 0; attempt < REPLACE_TRIES; attempt += 1) {
    const raw = await scripts.redis.hget(shelf, id);
    if (raw === null) return null;
    const reply = written(await run(raw));
    // 'changed': put there again (with the same id) between the read and the script; read anew.
    if (reply[0] !== 'changed') return { raw, reply };
  }
  throw new Error(`memo changed too often to ${what}`);
}

/** A memo in the trash, and when it was deleted. */
export interface TrashedMemo extends Memo {
  deletedAt: string;
}

export interface TrashPage {
  /** The last deleted first. */
  memos: TrashedMemo[];
  /** Memos in the trash now. */
  total: number;
  /** Where the next page starts (memos of the trash before it), null on the last. */
  next: number | null;
}

/**
 * The trash (휴지통): a deleted memo stays there for the quotas' `trashDays`, restorable, and
 * counts in the usage until it leaves (restored, deleted for good, emptied, or expired). Its
 * keys expire as a whole when nothing was deleted for that long; each script of the trash
 * also drops what has had its days (at most 16 a call), so no request costs more than a page.
 */
export class Trash {
  constructor(
    private readonly scripts: Scripts,
    private readonly quotas: Quotas,
  ) {}

  /** Days a memo stays in the trash (0: none, deletes are final). */
  get days(): number {
    return Math.max(0, this.quotas.trashDays ?? 0);
  }

  /** A page of the trash: `limit` memos after the first `offset`, the last deleted first. */
  async page(userId: string, limit: number, offset = 0, now = Date.now()): Promise<TrashPage> {
    const keys = memoKeys(userId);
    const [total, ids, times, entries] = (await this.scripts.run(
      'trash-page',
      { meta: keys.meta, trash: keys.trash, trashAt: keys.trashAt },
      { offset, limit, before: now - trashMs(this.quotas) },
    )) as [number, string[], string[], (string | null)[]];
    const memos: TrashedMemo[] = [];
    ids.forEach((_, i) => {
      const raw = entries[i];
      if (raw) memos.push({ ...publicMemo(decodeEntry(raw)), deletedAt: new Date(Number(times[i])).toISOString() });
    });
    const end = offset + ids.length;
    return { memos, total, next: end < total ? end : null };
  }

  /**
   * Puts a memo of the trash back at the top of the list: the memo, or null when it is not
   * there; RestoreConflict when a memo of its id is in the list again (imported since).
   */
  restore(writer: Writer, id: string): Promise<Memo | null> {
    const keys = memoKeys(userOf(writer));
    const guard = guardOf(writer);
    return putBack(
      this.scripts,
      writer,
      id,
      keys.trash,
      (raw, tags) =>
        this.scripts.run(
          'restore',
          {
            guard: guard.guard,
            list: keys.list,
            memos: keys.memos,
            meta: keys.meta,
            trash: keys.trash,
            trashAt: keys.trashAt,
            tags: keys.tags,
            tagSets: tags.sets,
          },
          {
            guardMode: guard.guardMode,
            guardValue: guard.guardValue,
            id,
            read: raw,
            marks: tags.marks,
            maxTags: TAGS_MAX_PER_USER,
          },
        ) as Promise<Reply>,
    );
  }

  /** Deletes one memo of the trash for good: whether it was there. */
  async purge(writer: Writer, id: string): Promise<boolean> {
    return (await this.run(writer, id)) === 1;
  }

  /** Empties the trash: how many memos went for good. */
  empty(writer: Writer): Promise<number> {
    return this.run(writer, '');
  }

  private async run(writer: Writer, id: string): Promise<number> {
    const keys = memoKeys(userOf(writer));
    return Number(
      await this.scripts.run('purge', { meta: keys.meta, trash: keys.trash, trashAt: keys.trashAt }, { id }),
    );
  }
}
