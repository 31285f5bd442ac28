import { memoKeys } from '@memo/common';
import type { MemoHistory, MemoVersion } from '@memo/common/api-types';
import { decodeEntry, publicMemo, type Memo } from './layout.js';
import type { Memos } from './memos.js';
import type { Scripts } from './runner.js';
import { userOf, versionsKept, type Quotas, type Reply, type Writer } from './types.js';

/** A version as history.lua keeps it (memos.ts versionEntry writes it). */
interface StoredVersion {
  at: string | null;
  replacedAt: string;
  text: string;
}

function decodeVersion(raw: string, n: number): MemoVersion {
  const v = JSON.parse(raw) as Partial<StoredVersion>;
  if (typeof v.text !== 'string' || typeof v.replacedAt !== 'string') throw new Error('not a memo version');
  return { n, text: v.text, at: typeof v.at === 'string' ? v.at : null, replacedAt: v.replacedAt };
}

/**
 * A memo's history: every edit keeps the text it replaced, the last `historyVersions` of them
 * (replace.lua), in the user's slot; their bytes count in the usage. Reading it is one script
 * of O(versions); restoring a version is an edit (so the text it replaces is kept in turn); a
 * delete drops the memo's versions (delete.lua), and so may the person (forget).
 */
export class History {
  constructor(
    private readonly scripts: Scripts,
    private readonly memos: Memos,
    private readonly quotas: Quotas,
  ) {}

  /** Versions a memo keeps at most (0: history is off). */
  get keep(): number {
    return versionsKept(this.quotas);
  }

  /** A memo and its kept versions, the newest first; null when there is no such memo. */
  async of(userId: string, id: string): Promise<MemoHistory | null> {
    const keys = memoKeys(userId);
    const reply = (await this.scripts.run('history', { memos: keys.memos, history: keys.history }, { id })) as Reply;
    if (reply[0] !== 'ok') return null;
    const [, entry, last, found] = reply as [string, string, number, (string | null)[]];
    const versions: MemoVersion[] = [];
    found.forEach((raw, i) => {
      if (raw !== null) versions.push(decodeVersion(raw, last - found.length + 1 + i));
    });
    return { memo: publicMemo(decodeEntry(entry)), versions: versions.reverse(), keep: this.keep };
  }

  /**
   * Makes version `n` the memo's text again, as an edit (QuotaExceeded as any edit): the memo
   * as it is now, or null when the memo or the version is not there.
   */
  async restore(writer: Writer, id: string, n: number, now = new Date()): Promise<Memo | null> {
    const raw = await this.scripts.redis.hget(memoKeys(userOf(writer)).history, `${id}:${String(n)}`);
    if (raw === null) return null;
    return this.memos.update(writer, id, decodeVersion(raw, n).text, now);
  }

  /** Forgets a memo's earlier versions: how many went. */
  async forget(writer: Writer, id: string): Promise<number> {
    const keys = memoKeys(userOf(writer));
    return Number(await this.scripts.run('forget', { meta: keys.meta, history: keys.history }, { id }));
  }
}
