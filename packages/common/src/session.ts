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
import { createPrivateKey, createPublicKey, type JsonWebKey as JwkObject } from 'node:crypto';
import { unavailable } from './errors.js';
import type { RedisClient } from './redis.js';
import { legacySessionKey, sessionKey, sessionsEndedKey } from './keys.js';

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
