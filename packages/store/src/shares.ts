import { randomBytes } from 'node:crypto';
import { memoKeys, shareKey } from '@memo/common';
import type { SharedMemo, ShareLink, ShareList } from '@memo/common/api-types';
import { decodeEntry } from './layout.js';
import type { Memos } from './memos.js';
import type { Scripts } from './runner.js';
import { dropLookups, guardOf, userOf, written, type Reply, type Writer } from './types.js';

/** Links a user may have at once, by default. */
export const SHARE_MAX = 100;

/** A token as handed out: 18 random bytes (144 bits), Base64url. */
const TOKEN = /^[A-Za-z0-9_-]{24}$/;

export const isShareToken = (token: string): boolean => TOKEN.test(token);

/** Refused: the user has as many links as they may. */
export class SharesFull extends Error {
  constructor(readonly max: number) {
    super(`at most ${String(max)} share links`);
    this.name = 'SharesFull';
  }
}

const iso = (ms: string | number): string | null => (Number(ms) > 0 ? new Date(Number(ms)).toISOString() : null);

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The start of a memo's text, to tell its link from the others: its first line, 60 characters
 * as a person counts them (an emoji with its skin tone is one, never cut in two). Only the first
 * 400 code units are segmented, whatever the memo's length.
 */
function titleOf(text: string): string {
  const line = (text.trimStart().split('\n', 1)[0] ?? '').slice(0, 400);
  const kept: string[] = [];
  for (const { segment } of GRAPHEMES.segment(line)) {
    if (kept.length === 60) return `${kept.join('')}…`;
    kept.push(segment);
  }
  return kept.join('');
}

/**
 * Share links (공유): one read-only link a memo, `<publicUrl>s/<token>`. The link is valid only
 * while the user's `shares` hash holds its token for the memo, unexpired, and the memo is in the
 * list: a revoke, a delete or an archive (which drop the field, delete.lua and archive.lua) ends
 * it at once. Its lookup key (`share:<token>`, another slot: it only finds the user) expires with
 * it, and goes with the field. An edit shows on the link: it is the memo, not a snapshot.
 */
export class Shares {
  constructor(
    private readonly scripts: Scripts,
    private readonly memos: Memos,
    readonly max = SHARE_MAX,
  ) {}

  /**
   * A new link to a memo in the list, replacing its earlier one; null when there is no such
   * memo, SharesFull at the limit.
   */
  async create(writer: Writer, id: string, expiresAt: Date | null, now = new Date()): Promise<ShareLink | null> {
    const userId = userOf(writer);
    if ((await this.memos.entryMovedFirst(userId, id)) === null) return null;
    const keys = memoKeys(userId);
    const guard = guardOf(writer);
    const token = randomBytes(18).toString('base64url');
    const expires = expiresAt === null ? 0 : expiresAt.getTime();
    const reply = written(
      (await this.scripts.run(
        'share',
        { guard: guard.guard, memos: keys.memos, shares: keys.shares },
        {
          guardMode: guard.guardMode,
          guardValue: guard.guardValue,
          id,
          token,
          now: now.getTime(),
          expires,
          max: this.max,
        },
      )) as Reply,
    );
    if (reply[0] === 'full') throw new SharesFull(this.max);
    if (reply[0] !== 'ok') return null;
    // The lookup key after the link: should it not be written, the link is listed and opens
    // nothing (and is ended here), rather than a key no link holds being left behind.
    const lookup = `${id} ${userId}`;
    try {
      if (expires > 0) await this.scripts.redis.set(shareKey(token), lookup, 'PXAT', expires);
      else await this.scripts.redis.set(shareKey(token), lookup);
    } catch (err) {
      await this.revoke(writer, id).catch(() => false);
      throw err;
    }
    // The memo's earlier link and the links found expired: their lookup keys go.
    await dropLookups(
      this.scripts.redis,
      reply.slice(1).filter((t): t is string => typeof t === 'string' && t !== ''),
    );
    return { memoId: id, token, createdAt: now.toISOString(), expiresAt: iso(expires) };
  }

  /** Ends a memo's link at once: whether it had one. */
  async revoke(writer: Writer, id: string): Promise<boolean> {
    const token = (await this.scripts.run('unshare', { shares: memoKeys(userOf(writer)).shares }, { id })) as string;
    if (token === '') return false;
    await dropLookups(this.scripts.redis, [token]);
    return true;
  }

  /** The user's links, the newest first (O(links), at most `max`). */
  async list(userId: string, now = Date.now()): Promise<ShareList> {
    const keys = memoKeys(userId);
    const [found, dropped] = (await this.scripts.run(
      'shares',
      { memos: keys.memos, shares: keys.shares },
      { now },
    )) as [[string, string, string, string, string][], string[]];
    await dropLookups(this.scripts.redis, dropped);
    const links = found
      .map(([memoId, token, created, expires, entry]) => ({
        memoId,
        token,
        createdAt: iso(created) ?? new Date(0).toISOString(),
        expiresAt: iso(expires),
        title: titleOf(decodeEntry(entry).text),
      }))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    return { links, max: this.max };
  }

  /**
   * What a link shows, or null when it does not open (never was, expired, revoked, its memo
   * deleted or archived): the same answer for each, so a token tells nothing. O(1).
   */
  async open(token: string, now = Date.now()): Promise<SharedMemo | null> {
    if (!isShareToken(token)) return null;
    const lookup = await this.scripts.redis.get(shareKey(token));
    const [id = '', userId = ''] = lookup?.split(' ') ?? [];
    if (id === '' || userId === '') return null;
    const keys = memoKeys(userId);
    const reply = (await this.scripts.run(
      'share-open',
      { memos: keys.memos, shares: keys.shares },
      { id, token, now },
    )) as Reply;
    if (reply[0] !== 'ok') {
      // A lookup key the user's links no longer hold: it goes (revoked or deleted meanwhile).
      await dropLookups(this.scripts.redis, [token]);
      return null;
    }
    const { text, createdAt, updatedAt } = decodeEntry(String(reply[1]));
    return { text, createdAt, updatedAt, expiresAt: iso(String(reply[2])) };
  }
}
