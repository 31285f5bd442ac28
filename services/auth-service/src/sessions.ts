import { randomBytes } from 'node:crypto';
import { SignJWT, type CryptoKey } from 'jose';
import {
  SESSION_ALG,
  SESSION_AUDIENCE,
  SESSION_ISSUER,
  legacySessionKey,
  sessionKey,
  sessionsKey,
  type RedisClient,
} from '@memo/common';

/**
 * Mints sessions: a random session id kept in Redis for the session's lifetime, and a cookie
 * value that is an ES256-signed JWT naming the user and that id. Logout deletes the id, so a
 * replayed cookie is refused even before it expires. A user has at most `maxPerUser` sessions
 * (devices): a new one beyond that signs the oldest out, so logging in again and again cannot
 * fill Redis.
 */

/**
 * KEYS: the session, the user's sessions (by creation, in ms). ARGV: user id, ttl (s), now
 * (ms), max, session id. Stores the session, forgets expired ones, and returns the ids of the
 * oldest beyond max.
 */
const CREATE = `
local ttl, now = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - ttl * 1000)
redis.call('ZADD', KEYS[2], now, ARGV[5])
redis.call('EXPIRE', KEYS[2], ttl)
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
local gone = {}
if extra > 0 then
  local popped = redis.call('ZPOPMIN', KEYS[2], extra)
  for i = 1, #popped, 2 do gone[#gone + 1] = popped[i] end
end
return gone
`;

interface SessionCommands {
  sessionCreate(
    key: string,
    index: string,
    user: string,
    ttl: string,
    now: string,
    max: string,
    id: string,
  ): Promise<string[]>;
}

export interface SessionOptions {
  ttlSeconds: number;
  /** Sessions (devices) a user may have at once. */
  maxPerUser: number;
}

export class SessionIssuer {
  private readonly redis: RedisClient & SessionCommands;

  constructor(
    private readonly privateKey: CryptoKey,
    private readonly keyId: string,
    redis: RedisClient,
    private readonly options: SessionOptions,
  ) {
    redis.defineCommand('sessionCreate', { numberOfKeys: 2, lua: CREATE });
    this.redis = redis as RedisClient & SessionCommands;
  }

  async create(userId: string): Promise<string> {
    const sessionId = randomBytes(18).toString('base64url');
    const { ttlSeconds, maxPerUser } = this.options;
    const signedOut = await this.redis.sessionCreate(
      sessionKey(userId, sessionId),
      sessionsKey(userId),
      userId,
      String(ttlSeconds),
      String(Date.now()),
      String(maxPerUser),
      sessionId,
    );
    if (signedOut.length > 0) await this.redis.del(...signedOut.map((id) => sessionKey(userId, id)));
    return new SignJWT({})
      .setProtectedHeader({ alg: SESSION_ALG, typ: 'JWT', kid: this.keyId })
      .setSubject(userId)
      .setJti(sessionId)
      .setIssuer(SESSION_ISSUER)
      .setAudience(SESSION_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${String(ttlSeconds)}s`)
      .sign(this.privateKey);
  }

  async revoke(userId: string, sessionId: string): Promise<void> {
    await this.redis.del(sessionKey(userId, sessionId));
    await this.redis.zrem(sessionsKey(userId), sessionId);
    await this.redis.del(legacySessionKey(sessionId));
  }
}
