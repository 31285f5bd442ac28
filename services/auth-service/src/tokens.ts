import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { naverTokensKey, type RedisClient } from '@memo/common';
import type { NaverTokens } from './naver.js';

/**
 * A user's Naver tokens, kept only so that deleting the account can revoke them at Naver (as
 * Naver's review and the privacy notice ask): encrypted at rest with AES-256-GCM under a key
 * derived from the session signing key (HKDF; no second secret to keep), in the user's slot,
 * expiring with the user's last session (each login renews it). Naver's access token lives an
 * hour; the refresh token is what can still be revoked later.
 */
export class NaverTokenStore {
  private readonly key: Buffer;

  constructor(
    private readonly redis: RedisClient,
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'memo', 'naver-tokens v1', 32));
  }

  async save(userId: string, tokens: NaverTokens): Promise<void> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(userId));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(tokens), 'utf8'), cipher.final()]);
    const value = Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
    await this.redis.set(naverTokensKey(userId), value, 'EX', this.ttlSeconds);
  }

  /** The tokens, or null when none are kept (expired, never stored, or sealed under another key). */
  async load(userId: string): Promise<NaverTokens | null> {
    const value = await this.redis.get(naverTokensKey(userId));
    if (!value) return null;
    try {
      const raw = Buffer.from(value, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(userId));
      decipher.setAuthTag(raw.subarray(12, 28));
      const json = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      const parsed = JSON.parse(json) as Partial<NaverTokens>;
      if (typeof parsed.accessToken !== 'string') return null;
      return typeof parsed.refreshToken === 'string'
        ? { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken }
        : { accessToken: parsed.accessToken };
    } catch {
      return null;
    }
  }
}
