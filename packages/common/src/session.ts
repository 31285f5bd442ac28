import { errors, importJWK, importPKCS8, importSPKI, jwtVerify, type CryptoKey, type JWK } from 'jose';
import { createPublicKey } from 'node:crypto';
import type { Redis } from 'ioredis';

export const SESSION_ALG = 'ES256';
export const SESSION_ISSUER = 'memo-auth';
export const SESSION_AUDIENCE = 'memo';

export interface Session {
  readonly userId: string;
  readonly sessionId: string;
  readonly expiresAt: number;
}

/** Redis key under which a live session is kept; logout deletes it. */
export const sessionKey = (sessionId: string): string => `session:${sessionId}`;

/**
 * Reads a key from configuration: a PEM (SPKI public or PKCS#8 private, with real newlines or
 * `\n` escapes) or a JWK as JSON. Asked for a public key, a private one yields its public half.
 */
export async function importSessionKey(raw: string, use: 'public' | 'private'): Promise<CryptoKey> {
  const text = raw.includes('\\n') ? raw.replace(/\\n/g, '\n') : raw;
  if (text.trim().startsWith('{')) {
    const jwk = JSON.parse(text) as JWK;
    if (use === 'public') delete jwk.d;
    const key = await importJWK(jwk, SESSION_ALG);
    if (key instanceof Uint8Array) throw new Error('a session key must be an asymmetric key');
    return key;
  }
  if (use === 'private') return importPKCS8(text, SESSION_ALG);
  // A private key can stand where a public one is wanted: its public half is taken.
  const spki = text.includes('PRIVATE KEY')
    ? createPublicKey(text).export({ type: 'spki', format: 'pem' }).toString()
    : text;
  return importSPKI(spki, SESSION_ALG);
}

/**
 * Verifies the session cookie: a valid ES256 signature by auth-service's key, our issuer and
 * audience, not expired, and a session that still exists in Redis (so logout is real).
 * Anything else is "not logged in" (null). Redis errors propagate: the caller answers 503.
 */
export class SessionVerifier {
  constructor(
    private readonly publicKey: CryptoKey,
    private readonly redis: Redis,
  ) {}

  async verifyToken(token: string): Promise<Session | null> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        algorithms: [SESSION_ALG],
        issuer: SESSION_ISSUER,
        audience: SESSION_AUDIENCE,
        requiredClaims: ['sub', 'jti', 'exp'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') {
        return null;
      }
      return { userId: payload.sub, sessionId: payload.jti, expiresAt: payload.exp };
    } catch (err) {
      if (err instanceof errors.JOSEError || err instanceof TypeError) return null;
      throw err;
    }
  }

  async verify(token: string | undefined): Promise<Session | null> {
    if (!token || token.length > 4096) return null;
    const session = await this.verifyToken(token);
    if (!session) return null;
    const owner = await this.redis.get(sessionKey(session.sessionId));
    return owner === session.userId ? session : null;
  }
}
