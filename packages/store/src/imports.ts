import { memoKeys, tagKey } from '@memo/common';
import { TAGS_MAX_PER_USER, tagsOf } from '@memo/common/tags';
import { entryTail, newId, textSize, type Memo } from './layout.js';
import type { Moves } from './moves.js';
import type { Scripts } from './runner.js';
import {
  PIN_MAX,
  QuotaExceeded,
  guardOf,
  usageOf,
  userOf,
  written,
  type Quotas,
  type Reply,
  type Writer,
} from './types.js';

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

/** Imports: many memos at once, in batches of one script each (commands/import.lua). */
export class Imports {
  constructor(
    private readonly scripts: Scripts,
    private readonly moves: Moves,
    private readonly quotas: Quotas,
  ) {}

  /**
   * Imports memos, given oldest first (each lands on top of the one before): a text becomes a
   * new memo; an exported memo keeps its id, times and pin, and is skipped when its id is here
   * already, so an import can run twice. IMPORT_BATCH memos a script, each script a fixed
   * number of commands plus one per tag: a whole import at the memo quota is a handful of
   * scripts. Stops at the quotas (`quota` in the result; what came before stays).
   */
  async run(writer: Writer, incoming: readonly Incoming[], now = new Date()): Promise<ImportResult> {
    const userId = userOf(writer);
    const keys = memoKeys(userId);
    const guard = guardOf(writer);
    const result: ImportResult = { imported: 0, skipped: 0 };
    for (let from = 0; from < incoming.length;) {
      const tagSets: string[] = [];
      const setOf = new Map<string, number>();
      const memos: string[] = [];
      let bytes = 0;
      for (let n = 0; from < incoming.length && n < IMPORT_BATCH && bytes < IMPORT_BATCH_BYTES; from += 1, n += 1) {
        const item = incoming[from] as Incoming;
        const memo: Memo =
          typeof item === 'string'
            ? { id: newId(now.getTime()), text: item, createdAt: now.toISOString(), updatedAt: null }
            : item;
        const size = textSize(memo.text);
        const numbers = tagsOf(memo.text).map((tag) => {
          let i = setOf.get(tag);
          if (i === undefined) {
            tagSets.push(tagKey(userId, tag));
            i = tagSets.length;
            setOf.set(tag, i);
          }
          return String(i);
        });
        const tail = entryTail({ ...memo, size });
        const pinAt = memo.pinnedAt ? String(Date.parse(memo.pinnedAt)) : '';
        memos.push(memo.id, tail, String(size), pinAt, numbers.join(','));
        bytes += tail.length;
      }
      const reply = written(
        await this.moves.runMoved(
          userId,
          async () =>
            (await this.scripts.run(
              'import',
              {
                guard: guard.guard,
                list: keys.list,
                older: keys.older,
                memos: keys.memos,
                meta: keys.meta,
                pins: keys.pins,
                tags: keys.tags,
                tagSets,
              },
              {
                guardMode: guard.guardMode,
                guardValue: guard.guardValue,
                maxCount: this.quotas.maxCount,
                maxBytes: this.quotas.maxBytes,
                maxPins: this.quotas.maxPins ?? PIN_MAX,
                maxTags: TAGS_MAX_PER_USER,
                memos,
              },
            )) as Reply,
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
      await this.moves.stepIfDue(userId, due);
      if (quota === 'memos' || quota === 'bytes') {
        return { ...result, quota: new QuotaExceeded(quota, usageOf(this.quotas, count, used)) };
      }
    }
    return result;
  }
}
