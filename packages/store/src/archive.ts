import { memoKeys } from '@memo/common';
import type { ArchivedMemo } from '@memo/common/api-types';
import { TAGS_MAX_PER_USER, tagsOf } from '@memo/common/tags';
import { decodeEntry, publicMemo, type Memo } from './layout.js';
import type { Memos } from './memos.js';
import type { Scripts } from './runner.js';
import { onShelf, putBack } from './trash.js';
import { guardOf, trashMs, userOf, type Quotas, type Reply, type Writer } from './types.js';

export interface ArchivePage {
  /** The last archived first, or (by tag) in the list's order. */
  memos: ArchivedMemo[];
  /** Archived memos in all (of the tag, with one). */
  total: number;
  /** Where the next page starts (memos before it), null on the last. */
  next: number | null;
}

/**
 * The archive's tag index members of an entry: `<tag>:<seq>:<id>` for its tags and their
 * parents, the seq in base 36 at a fixed width, so that a tag's members sort as the list did.
 */
function membersOf(raw: string): string[] {
  const { id, seq, text } = decodeEntry(raw);
  const place = seq.toString(36).padStart(11, '0');
  return tagsOf(text).map((tag) => `${tag}:${place}:${id}`);
}

/**
 * The archive (보관): a memo taken off the list without being deleted, counted in the usage as
 * before, and listed on its own, the last archived first, or by tag. It keeps its text, times
 * and history; it leaves the tag index and the pins, and comes back at the top of the list.
 */
export class Archive {
  constructor(
    private readonly scripts: Scripts,
    private readonly memos: Memos,
    private readonly quotas: Quotas,
  ) {}

  /** Archives a memo: whether it was in the list. */
  archive(writer: Writer, id: string, now = Date.now()): Promise<boolean> {
    const keys = memoKeys(userOf(writer));
    const guard = guardOf(writer);
    return this.memos.takeOff(
      writer,
      id,
      'archive',
      (raw, tags) =>
        this.scripts.run(
          'archive',
          {
            guard: guard.guard,
            list: keys.list,
            older: keys.older,
            memos: keys.memos,
            meta: keys.meta,
            pins: keys.pins,
            archive: keys.archive,
            archiveAt: keys.archiveAt,
            archiveTags: keys.archiveTags,
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
            now,
            members: membersOf(raw),
          },
        ) as Promise<Reply>,
    );
  }

  /**
   * Puts an archived memo back at the top of the list: the memo, or null when it is not in the
   * archive; RestoreConflict when a memo of its id is in the list again (imported since).
   */
  unarchive(writer: Writer, id: string): Promise<Memo | null> {
    const keys = memoKeys(userOf(writer));
    const guard = guardOf(writer);
    return putBack(
      this.scripts,
      writer,
      id,
      keys.archive,
      (raw, tags) =>
        this.scripts.run(
          'unarchive',
          {
            guard: guard.guard,
            list: keys.list,
            memos: keys.memos,
            meta: keys.meta,
            archive: keys.archive,
            archiveAt: keys.archiveAt,
            archiveTags: keys.archiveTags,
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
            members: membersOf(raw),
          },
        ) as Promise<Reply>,
    );
  }

  /**
   * Deletes an archived memo: to the trash for its days when the quotas give it some, else for
   * good (its history goes either way). Whether it was in the archive.
   */
  async discard(writer: Writer, id: string, now = Date.now()): Promise<boolean> {
    const keys = memoKeys(userOf(writer));
    const guard = guardOf(writer);
    const done = await onShelf(
      this.scripts,
      keys.archive,
      id,
      'delete',
      (raw) =>
        this.scripts.run(
          'discard',
          {
            guard: guard.guard,
            meta: keys.meta,
            archive: keys.archive,
            archiveAt: keys.archiveAt,
            archiveTags: keys.archiveTags,
            trash: keys.trash,
            trashAt: keys.trashAt,
            history: keys.history,
          },
          {
            guardMode: guard.guardMode,
            guardValue: guard.guardValue,
            id,
            read: raw,
            trashMs: trashMs(this.quotas),
            now,
            members: membersOf(raw),
          },
        ) as Promise<Reply>,
    );
    return done?.reply[0] === 'ok';
  }

  /** A page of the archive: `limit` memos after the first `offset`; with `tag`, its memos only. */
  async page(userId: string, limit: number, offset = 0, tag = ''): Promise<ArchivePage> {
    const keys = memoKeys(userId);
    const [total, ids, times, entries] = (await this.scripts.run(
      'archive-page',
      { archive: keys.archive, archiveAt: keys.archiveAt, archiveTags: keys.archiveTags },
      { offset, limit, tag },
    )) as [number, string[], string[], (string | null)[]];
    const memos: ArchivedMemo[] = [];
    ids.forEach((_, i) => {
      const raw = entries[i];
      if (raw) memos.push({ ...publicMemo(decodeEntry(raw)), archivedAt: new Date(Number(times[i])).toISOString() });
    });
    const end = offset + ids.length;
    return { memos, total, next: end < total ? end : null };
  }
}
