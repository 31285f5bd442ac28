import { randomBytes } from 'node:crypto';
import { SignJWT, type CryptoKey } from 'jose';
import { SESSION_ALG, SESSION_AUDIENCE, SESSION_ISSUER, sessionKey, type RedisClient } from '@memo/common';

/**
 * Mints sessions: a random session id kept in Redis for the session's lifetime, and a cookie
 * value that is an ES256-signed JWT naming the user and that id. Logout deletes the id, so a
 * replayed cookie is refused even before it expires.
 */
export class SessionIssuer {
  constructor(
    private readonly privateKey: CryptoKey,
    private readonly keyId: string,
    private readonly redis: RedisClient,
    private readonly ttlSeconds: number,
  ) {}

  async create(userId: string): Promise<string> {
    const sessionId = randomBytes(18).toString('base64url');
    await this.redis.set(sessionKey(sessionId), userId, 'EX', this.ttlSeconds);
    return new SignJWT({})
      .setProtectedHeader({ alg: SESSION_ALG, typ: 'JWT', kid: this.keyId })
      .setSubject(userId)
      .setJti(sessionId)
      .setIssuer(SESSION_ISSUER)
      .setAudience(SESSION_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.privateKey);
  }

  async revoke(sessionId: string): Promise<void> {
    await this.redis.del(sessionKey(sessionId));
  }
}
