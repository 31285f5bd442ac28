import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  errors,
  importJWK,
  importPKCS8,
  importSPKI,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { createHash, createPrivateKey, createPublicKey, type JsonWebKey as JwkObject } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import { unavailable } from './errors.js';
import type { RedisClient } from './redis.js';

export const SESSION_ALG = 'ES256';
export const SESSION_ISSUER = 'memo-auth';
export const SESSION_AUDIENCE = 'memo';

export interface Session {
  readonly userId: string;
  readonly sessionId: string;
  readonly expiresAt: number;
  /** When it was minted (seconds; the token's `iat`, 0 when absent). */
  readonly issuedAt: number;
  /** Live by a key kept where sessions were before they moved into their user's slot. */
  readonly legacy?: boolean;
}

/**
 * Naver ids are `[\w.=+/-]{1,64}`: never a brace (which would change the hash tag) nor a
 * space. A session only carries ids auth-service stored, but the rule is checked where keys
 * are made.
 */
const SAFE_USER = /^[^{}\s]{1,128}$/;

/**
 * The Redis Cluster hash tag of a user's keys. `{memo:<id>}` hashes to the slot of the
 * original app's key `memo:<id>`, so every key of a user, old and new, lives in one slot.
 */
export function userTag(userId: string): string {
  if (!SAFE_USER.test(userId)) throw new Error('user id not usable in a key');
  return `{memo:${userId}}`;
}

/** The keys of a user's memos (data layout 2, docs/data.md): the order, and beside it in its slot. */
export interface MemoKeys {
  /** The order (the original's key). */
  list: string;
  older: string;
  memos: string;
  meta: string;
  /** Pinned ids, scored by when they were pinned (a sorted set, at most PIN_MAX). */
  pins: string;
  /** Tag → how many memos carry it (a sorted set); each tag's memos are under `tagKey`. */
  tags: string;
  /** Idempotency key of an add → the memo it made (a hash), the last IDEMPOTENCY_KEEP only. */
  idempotency: string;
  /** The same keys by when they were used (a sorted set), to forget the oldest. */
  idempotencyAt: string;
  /** Held while one of the user's heavy requests (export, import, rename) runs, on any replica. */
  busy: string;
}

export function memoKeys(userId: string): MemoKeys {
  const tag = userTag(userId);
  return {
    list: `memo:${userId}`,
    older: `${tag}:older`,
    memos: `${tag}:memos`,
    meta: `${tag}:meta`,
    pins: `${tag}:pins`,
    tags: `${tag}:tags`,
    idempotency: `${tag}:idem`,
    idempotencyAt: `${tag}:idem:at`,
    busy: `${tag}:busy`,
  };
}

/**
 * The memos carrying one tag (a sorted set: memo id by its place in the order). The tag is the
 * rest of the key after `<tags key>:`, so a script can tell it from the key.
 */
export const tagKey = (userId: string, tag: string): string => `${memoKeys(userId).tags}:${tag}`;

/** Where auth-service keeps a user's Naver tokens, encrypted, so that deleting the account can revoke them. */
export const naverTokensKey = (userId: string): string => `${userTag(userId)}:naver`;

/**
 * Every key that holds something of one user, but for the sessions themselves (their ids are in
 * `sessionsKey`): what deleting the account removes. The profile and the original app's bare
 * name key are outside the user's slot; the memo write counter is rate-limiter-flexible's.
 */
export function accountKeys(userId: string): string[] {
  const memo = memoKeys(userId);
  return [
    memo.list,
    memo.older,
    memo.memos,
    memo.meta,
    memo.pins,
    memo.tags,
    memo.idempotency,
    memo.idempotencyAt,
    memo.busy,
    sessionsKey(userId),
    naverTokensKey(userId),
    `user:${userId}`,
    userId,
    `ratelimit:memo-writes:${userId}`,
  ];
}

/** Where a live session is kept (its value: the user id); logout deletes it. */
export const sessionKey = (userId: string, sessionId: string): string => `${userTag(userId)}:session:${sessionId}`;
/** The user's sessions, by creation: bounded, and how "sign out everywhere" finds them. */
export const sessionsKey = (userId: string): string => `${userTag(userId)}:sessions`;
/**
 * Where sessions were kept before they moved into their user's slot. Still honoured until the
 * last of them expires (SESSION_TTL_SECONDS after the upgrade), so an upgrade signs nobody out.
 */
export const legacySessionKey = (sessionId: string): string => `session:${sessionId}`;
/** Hash tags found so far, by the Cluster slot they hash to (see slotTag). */
const slotTags = new Map<number, string>();

/**
 * A short hash tag whose Cluster slot is `slot`: a key named with it lives beside the user's
 * keys without naming the user. Found by trying `0`, `1`, … in base 36 (16,384 tries on
 * average, ~2 ms) once per slot, then remembered.
 */
function slotTag(slot: number): string {
  let tag = slotTags.get(slot);
  for (let i = 0; tag === undefined; i += 1) {
    const candidate = i.toString(36);
    if (calculateSlot(candidate) === slot) tag = candidate;
  }
  slotTags.set(slot, tag);
  return tag;
}

/**
 * When the user's sessions were last ended all at once (회원 탈퇴, Naver's unlink), in ms: a
 * session minted before it is void. Sessions in the user's slot are deleted outright then; this
 * mark is for those minted before sessions moved there (`legacySessionKey`), which cannot be
 * found by user. It holds only the time and expires with the longest such session. It lives in
 * the user's slot (the write scripts read it) under a tag of that slot and a digest of the id,
 * so that after 회원 탈퇴 no key names the person.
 */
export function sessionsEndedKey(userId: string): string {
  const tag = slotTag(calculateSlot(userTag(userId)));
  return `{${tag}}:ended:${createHash('sha256').update(userId, 'utf8').digest('base64url').slice(0, 22)}`;
}

/** Whether a session minted at `issuedAt` (s) was ended by the mark `ended` (ms, or null: none). */
export const endedBy = (ended: string | null, issuedAt: number): boolean =>
  ended !== null && Number(ended) >= issuedAt * 1000;

/**
 * Whether a session minted before sessions moved into their user's slot still lives: its old
 * key names the user and the user's sessions were not ended after it was minted.
 */
export async function legacySessionLive(redis: RedisClient, session: Session): Promise<boolean> {
  const [owner, ended] = await Promise.all([
    redis.get(legacySessionKey(session.sessionId)),
    redis.get(sessionsEndedKey(session.userId)),
  ]);
  return owner === session.userId && !endedBy(ended, session.issuedAt);
}

function pemOrJwk(raw: string): string {
  return raw.includes('\\n') ? raw.replace(/\\n/g, '\n') : raw;
}

/**
 * Reads a key from configuration: a PEM (SPKI public; PKCS#8 or SEC1 private, as Helm's
 * `genPrivateKey "ecdsa"` makes it; with real newlines or `\n` escapes) or a JWK as JSON.
 * Asked for a public key, a private one yields its public half.
 */
export async function importSessionKey(raw: string, use: 'public' | 'private'): Promise<CryptoKey> {
  const text = pemOrJwk(raw);
  if (text.trim().startsWith('{')) {
    const jwk = JSON.parse(text) as JWK;
    if (use === 'public') delete jwk.d;
    const key = await importJWK(jwk, SESSION_ALG);
    if (key instanceof Uint8Array) throw new Error('a session key must be an asymmetric key');
    return key;
  }
  if (use === 'private') {
    return importPKCS8(createPrivateKey(text).export({ type: 'pkcs8', format: 'pem' }).toString(), SESSION_ALG);
  }
  return importSPKI(createPublicKey(text).export({ type: 'spki', format: 'pem' }).toString(), SESSION_ALG);
}

/** The public half of a configured key as a JWK with its `kid` (RFC 7638 thumbprint), for a JWKS. */
export async function publicJwk(raw: string): Promise<JWK> {
  const text = pemOrJwk(raw);
  const source = text.trim().startsWith('{')
    ? createPublicKey({ key: JSON.parse(text) as JwkObject, format: 'jwk' })
    : createPublicKey(text);
  const { kty, crv, x, y } = source.export({ format: 'jwk' });
  const jwk: JWK = { kty, crv, x, y };
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: SESSION_ALG, use: 'sig' };
}

/** auth-service's published keys, fetched when needed and cached (key rotation friendly). */
export function remoteSessionKeys(url: URL): JWTVerifyGetKey {
  return createRemoteJWKSet(url, { timeoutDuration: 2_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
}

/**
 * Verifies the session cookie: a valid ES256 signature by auth-service's key (configured, or
 * fetched from its JWKS), our issuer and
 * audience, not expired, and a session that still exists in Redis (so logout is real).
 * Anything else is "not logged in" (null). Redis errors propagate: the caller answers 503.
 */
export class SessionVerifier {
  /**
   * Tokens whose signature and claims were checked, for a minute at most: a signature check
   * costs more than the rest of a request, and the same cookie comes back with every request.
   * Expiry is checked on every use and revocation is checked in Redis every time.
   */
  private readonly verified = new Map<string, { session: Session; until: number }>();
  static readonly CACHE_ENTRIES = 5_000;
  static readonly CACHE_MS = 60_000;

  constructor(
    private readonly publicKey: CryptoKey | JWTVerifyGetKey,
    private readonly redis: RedisClient,
  ) {}

  /** Signature, issuer, audience and expiry; not whether the session still lives. */
  async verifyToken(token: string | undefined): Promise<Session | null> {
    if (!token || token.length > 4096) return null;
    const now = Date.now();
    const cached = this.verified.get(token);
    if (cached) {
      if (cached.until > now && cached.session.expiresAt > Math.floor(now / 1000)) return cached.session;
      this.verified.delete(token);
    }
    const session = await this.checkSignature(token);
    if (session) {
      if (this.verified.size >= SessionVerifier.CACHE_ENTRIES) {
        const oldest = this.verified.keys().next();
        if (!oldest.done) this.verified.delete(oldest.value);
      }
      this.verified.set(token, { session, until: now + SessionVerifier.CACHE_MS });
    }
    return session;
  }

  private async checkSignature(token: string): Promise<Session | null> {
    try {
      const options = {
        algorithms: [SESSION_ALG],
        issuer: SESSION_ISSUER,
        audience: SESSION_AUDIENCE,
        requiredClaims: ['sub', 'jti', 'exp'],
      };
      const { payload } =
        typeof this.publicKey === 'function'
          ? await jwtVerify(token, this.publicKey, options)
          : await jwtVerify(token, this.publicKey, options);
      if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') {
        return null;
      }
      const issuedAt = typeof payload.iat === 'number' ? payload.iat : 0;
      return { userId: payload.sub, sessionId: payload.jti, expiresAt: payload.exp, issuedAt };
    } catch (err) {
      // The keys could not be fetched: that is our outage, not a bad cookie.
      if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError)) throw unavailable();
      return null;
    }
  }

  /**
   * The session if it is still there (logout deletes it), marked `legacy` when it lives by its
   * pre-upgrade key; null when it ended. Redis errors propagate (503).
   */
  async live(session: Session): Promise<Session | null> {
    const owner = await this.redis.get(sessionKey(session.userId, session.sessionId));
    if (owner !== null) return owner === session.userId ? session : null;
    return (await legacySessionLive(this.redis, session)) ? { ...session, legacy: true } : null;
  }

  async verify(token: string | undefined): Promise<Session | null> {
    const session = await this.verifyToken(token);
    return session ? this.live(session) : null;
  }
}
