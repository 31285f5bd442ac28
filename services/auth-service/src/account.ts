import {
  AOF_REWRITE_DUE_KEY,
  AOF_REWRITE_LOCK_KEY,
  accountKeys,
  shareKey,
  memoKeys,
  tagKey,
  naverTokensKey,
  sessionKey,
  sessionsEndedKey,
  sessionsKey,
  type Logger,
  type Redis,
  type RedisClient,
} from '@memo/common';
import { NaverError, type NaverClient } from './naver.js';
import type { NaverTokenStore } from './tokens.js';

/** Whether Naver's link to the app was cut: done, nothing to revoke, or Naver refused or was away. */
export type Revoked = 'revoked' | 'no_token' | 'failed';

const REWRITE_DUE = AOF_REWRITE_DUE_KEY;
const REWRITE_LOCK = AOF_REWRITE_LOCK_KEY;

/**
 * Deleting an account (회원 탈퇴): Naver's token revoked first (while it can still be read), then
 * every key of the user unlinked — memos, their indexes, the profile and the original app's
 * name key, the sessions on every device, the stored tokens, the write counter. Each is one
 * UNLINK (Redis frees large values off its main thread), so the request costs O(sessions),
 * at most SESSION_MAX_PER_USER, plus one per tag (at most 200), whatever the user stored.
 *
 * The append-only file still holds the deleted text until Redis rewrites it; a rewrite is
 * asked for after a deletion, at most once per `aofRewriteSeconds` across replicas (0: at
 * once), so the text is gone from disk within that time plus a minute.
 *
 * Deletion is final: requests of the user still in flight write nothing afterwards, since every
 * write script of memo-service checks in the same step that the writer's session still lives,
 * and the sessions are gone. A session minted before sessions moved into the user's slot
 * (`session:<sid>`) cannot be found by user: the mark `sessionsEndedKey` (the time, nothing
 * else) voids every session minted before it; it is set first and expires with the longest
 * such session (SESSION_TTL_SECONDS), so nothing it guards can outlive it.
 */
export interface EraserOptions {
  aofRewriteSeconds: number;
  sessionTtlSeconds: number;
}

export class AccountEraser {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisClient,
    private readonly naver: NaverClient,
    private readonly tokens: NaverTokenStore,
    private readonly log: Logger,
    private readonly options: EraserOptions,
  ) {
    this.timer = setInterval(() => void this.rewriteIfDue().catch(() => undefined), 60_000);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /**
   * Deletes everything of the user. `revoke: false` when Naver already cut the link (its
   * unlink notice): there is nothing left to revoke there.
   */
  async erase(userId: string, requestId: string, opts: { revoke?: boolean } = {}): Promise<Revoked> {
    const revoked = opts.revoke === false ? 'no_token' : await this.revoke(userId, requestId);
    // Sessions first: from then on every write script refuses the person's requests still in
    // flight, so what is read below is all there will be.
    const sessions = await this.endSessions(userId);
    // The memo index of each tag the user has (at most TAGS_MAX_PER_USER, named in the tag list).
    const tags = await this.redis.zrange(memoKeys(userId).tags, 0, -1);
    // The lookup key of each share link (at most the sharing's per-user limit), in other slots.
    const links = await this.redis.hvals(memoKeys(userId).shares);
    const lookups = links.map((link) => shareKey(link.split(' ', 1)[0] ?? ''));
    await this.unlinkEach([...tags.map((tag) => tagKey(userId, tag)), ...lookups, ...accountKeys(userId)]);
    this.log.info({ reqId: requestId, sessions, revoked }, 'account deleted');
    await this.requestRewrite().catch((err: unknown) => {
      this.log.warn({ reqId: requestId, err: String(err) }, 'could not ask for an append-only file rewrite');
    });
    return revoked;
  }

  /** Ends every session of the user and forgets their Naver tokens, keeping their memos. */
  async signOut(userId: string, requestId: string): Promise<void> {
    const sessions = await this.endSessions(userId);
    await this.unlinkEach([naverTokensKey(userId)]);
    this.log.info({ reqId: requestId, sessions }, 'signed out everywhere');
  }

  /**
   * Ends every session of the user: the mark that voids those minted before now (wherever they
   * are kept) first, then each session (their ids are in `sessionsKey`, at most
   * SESSION_MAX_PER_USER) and the index. Returns how many sessions there were.
   */
  private async endSessions(userId: string): Promise<number> {
    await this.redis.set(sessionsEndedKey(userId), String(Date.now()), 'EX', this.options.sessionTtlSeconds);
    const sessions = await this.redis.zrange(sessionsKey(userId), 0, -1);
    await this.unlinkEach([...sessions.map((id) => sessionKey(userId, id)), sessionsKey(userId)]);
    return sessions.length;
  }

  /** One UNLINK a key: on a Redis Cluster the profile and the bare name key live in other slots. */
  private async unlinkEach(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.redis.unlink(key)));
  }

  private async revoke(userId: string, requestId: string): Promise<Revoked> {
    const tokens = await this.tokens.load(userId);
    if (!tokens) return 'no_token';
    try {
      if (tokens.refreshToken) await this.naver.revoke(tokens.refreshToken, 'refresh_token', requestId);
      else await this.naver.revoke(tokens.accessToken, 'access_token', requestId);
      return 'revoked';
    } catch (err) {
      if (!(err instanceof NaverError)) throw err;
      this.log.warn({ reqId: requestId, code: err.code, detail: err.detail }, 'naver token revoke failed');
      return 'failed';
    }
  }

  private async requestRewrite(): Promise<void> {
    await this.redis.set(REWRITE_DUE, '1');
    await this.rewriteIfDue();
  }

  /** Rewrites the append-only file of every primary when a deletion asked for it and none ran lately. */
  async rewriteIfDue(): Promise<void> {
    if (!(await this.redis.exists(REWRITE_DUE))) return;
    if (this.options.aofRewriteSeconds > 0) {
      const locked = await this.redis.set(REWRITE_LOCK, '1', 'EX', this.options.aofRewriteSeconds, 'NX');
      if (locked === null) return;
    }
    await this.redis.del(REWRITE_DUE);
    const nodes: Redis[] = 'nodes' in this.redis ? this.redis.nodes('master') : [this.redis];
    await Promise.all(
      nodes.map(async (node) => {
        const info = await node.info('persistence');
        if (!/^aof_enabled:1/m.test(info)) return;
        await node.bgrewriteaof().catch((err: unknown) => {
          // Already rewriting (it will hold the deletion too) or scheduled: both are fine.
          if (!/in progress|scheduled/i.test(String(err))) throw err;
        });
      }),
    );
  }
}
