import { randomBytes } from 'node:crypto';
import { SignJWT, importPKCS8, base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import {
  SESSION_AUDIENCE,
  SESSION_ISSUER,
  SessionVerifier,
  importSessionKey,
  publicJwk,
  remoteSessionKeys,
} from '../src/session.js';
import { legacySessionKey, sessionKey, sessionsKey, userTag } from '../src/keys.js';
import { redisClient, sessionKeys, uniqueUser } from '@memo/testing/env';

const keys = sessionKeys();
const otherKeys = sessionKeys();
let redis: Redis;
let verifier: SessionVerifier;

interface Claims {
  sub?: string;
  jti?: string;
  iss?: string;
  aud?: string;
  exp?: number;
}

async function sign(claims: Claims, privatePem = keys.privatePem): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuedAt(now)
    .sign(await importPKCS8(privatePem, 'ES256'));
}

/** A session stored where `where` says (by default, in its user's slot) and its token. */
async function liveSession(
  where: (sub: string, jti: string) => string = sessionKey,
): Promise<{ sub: string; jti: string; token: string }> {
  const sub = uniqueUser();
  const jti = randomBytes(12).toString('base64url');
  await redis.set(where(sub, jti), sub, 'EX', 60);
  const token = await sign({
    sub,
    jti,
    iss: SESSION_ISSUER,
    aud: SESSION_AUDIENCE,
    exp: Math.floor(Date.now() / 1000) + 60,
  });
  return { sub, jti, token };
}

beforeAll(async () => {
  redis = redisClient();
  verifier = new SessionVerifier(await importSessionKey(keys.publicPem, 'public'), redis);
});
afterAll(() => redis.disconnect());

describe('SessionVerifier', () => {
  it('accepts a token signed by our key for a live session', async () => {
    const { sub, jti, token } = await liveSession();
    await expect(verifier.verify(token)).resolves.toMatchObject({ userId: sub, sessionId: jti });
  });

  it('refuses a token whose session was revoked (logout)', async () => {
    const { sub, jti, token } = await liveSession();
    await redis.del(sessionKey(sub, jti));
    await expect(verifier.verify(token)).resolves.toBeNull();
  });

  it('remembers a checked signature, but never past the token’s expiry or its logout', async () => {
    const sub = uniqueUser();
    const jti = randomBytes(12).toString('base64url');
    await redis.set(sessionKey(sub, jti), sub, 'EX', 60);
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await sign({ sub, jti, iss: SESSION_ISSUER, aud: SESSION_AUDIENCE, exp });
    const key = await importSessionKey(keys.publicPem, 'public');
    let signatureChecks = 0;
    const fresh = new SessionVerifier(() => {
      signatureChecks += 1;
      return key;
    }, redis);
    await expect(fresh.verify(token)).resolves.toMatchObject({ userId: sub });
    for (let i = 0; i < 20; i += 1) await expect(fresh.verify(token)).resolves.toMatchObject({ userId: sub });
    expect(signatureChecks).toBe(1);
    // A different token is checked on its own.
    await expect(fresh.verify(`${token}x`)).resolves.toBeNull();
    expect(signatureChecks).toBe(2);
    // Logout is seen at once, cache or not.
    await redis.del(sessionKey(sub, jti));
    await expect(fresh.verify(token)).resolves.toBeNull();
    await redis.set(sessionKey(sub, jti), sub, 'EX', 60);
    // And the token's own expiry holds even though its signature was remembered.
    await new Promise((r) => setTimeout(r, (exp - Date.now() / 1000) * 1000 + 50));
    await expect(fresh.verifyToken(token)).resolves.toBeNull();
    await expect(fresh.verify(token)).resolves.toBeNull();
  });

  it('refuses a token signed by another key', async () => {
    const { sub, jti } = await liveSession();
    const forged = await sign(
      { sub, jti, iss: SESSION_ISSUER, aud: SESSION_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 60 },
      otherKeys.privatePem,
    );
    await expect(verifier.verify(forged)).resolves.toBeNull();
  });

  it('refuses a tampered payload (another user id under the same signature)', async () => {
    const { token } = await liveSession();
    const victim = await liveSession();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Claims;
    const tampered = base64url.encode(JSON.stringify({ ...claims, sub: victim.sub, jti: victim.jti }));
    await expect(verifier.verify(`${header}.${tampered}.${signature}`)).resolves.toBeNull();
  });

  it('refuses an expired token even while its session exists', async () => {
    const sub = uniqueUser();
    const jti = randomBytes(12).toString('base64url');
    await redis.set(sessionKey(sub, jti), sub, 'EX', 60);
    const expired = await sign({
      sub,
      jti,
      iss: SESSION_ISSUER,
      aud: SESSION_AUDIENCE,
      exp: Math.floor(Date.now() / 1000) - 5,
    });
    await expect(verifier.verify(expired)).resolves.toBeNull();
  });

  it('refuses alg:none and an HMAC token keyed with the public key', async () => {
    const { sub, jti } = await liveSession();
    const payload = base64url.encode(
      JSON.stringify({ sub, jti, iss: SESSION_ISSUER, aud: SESSION_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 60 }),
    );
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.`;
    await expect(verifier.verify(none)).resolves.toBeNull();
    const hmac = await new SignJWT({ sub, jti, iss: SESSION_ISSUER, aud: SESSION_AUDIENCE })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(keys.publicPem));
    await expect(verifier.verify(hmac)).resolves.toBeNull();
  });

  it('refuses a wrong issuer or audience, a bare id, and garbage', async () => {
    const { sub, jti } = await liveSession();
    const exp = Math.floor(Date.now() / 1000) + 60;
    await expect(
      verifier.verify(await sign({ sub, jti, iss: 'someone', aud: SESSION_AUDIENCE, exp })),
    ).resolves.toBeNull();
    await expect(verifier.verify(await sign({ sub, jti, iss: SESSION_ISSUER, aud: 'other', exp }))).resolves.toBeNull();
    for (const bad of [sub, '', 'a.b.c', 'x'.repeat(5000), '..', undefined]) {
      await expect(verifier.verify(bad)).resolves.toBeNull();
    }
  });

  it('refuses a token whose session belongs to another user', async () => {
    const { sub, jti, token } = await liveSession();
    await redis.set(sessionKey(sub, jti), uniqueUser(), 'EX', 60);
    await expect(verifier.verify(token)).resolves.toBeNull();
  });
});

describe('sessions minted before they moved into their user’s slot', () => {
  it('are honoured until they expire or are revoked, and never for another user', async () => {
    const { sub, jti, token } = await liveSession((_sub, id) => legacySessionKey(id));
    await expect(verifier.verify(token)).resolves.toMatchObject({ userId: sub, sessionId: jti });
    await redis.set(legacySessionKey(jti), uniqueUser(), 'EX', 60);
    await expect(verifier.verify(token)).resolves.toBeNull();
    await redis.del(legacySessionKey(jti));
    await expect(verifier.verify(token)).resolves.toBeNull();
  });

  it('keep every key of a user in the slot of the original’s memo:<id>', () => {
    expect(sessionKey('u1', 's1')).toBe('{memo:u1}:session:s1');
    expect(sessionsKey('u1')).toBe('{memo:u1}:sessions');
    expect(() => userTag('a{b}')).toThrow();
    expect(() => userTag('')).toThrow();
  });
});

describe('session keys', () => {
  it('takes a SEC1 EC key (Helm genPrivateKey) and verifies through a JWKS', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { createServer } = await import('node:http');
    const sec1 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'sec1', format: 'pem' })
      .toString();
    expect(sec1).toContain('BEGIN EC PRIVATE KEY');
    const jwk = await publicJwk(sec1);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwk.d).toBeUndefined();
    const server = createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const remote = new SessionVerifier(remoteSessionKeys(new URL(`http://127.0.0.1:${port}/jwks.json`)), redis);
      const sub = uniqueUser();
      const jti = randomBytes(12).toString('base64url');
      await redis.set(sessionKey(sub, jti), sub, 'EX', 60);
      const token = await new SignJWT({ sub, jti, iss: SESSION_ISSUER, aud: SESSION_AUDIENCE })
        .setProtectedHeader({ alg: 'ES256', kid: jwk.kid ?? '' })
        .setExpirationTime('1m')
        .sign(await importSessionKey(sec1, 'private'));
      await expect(remote.verify(token)).resolves.toMatchObject({ userId: sub });
      // Signed by another key under the same kid: refused.
      const forged = await new SignJWT({ sub, jti, iss: SESSION_ISSUER, aud: SESSION_AUDIENCE })
        .setProtectedHeader({ alg: 'ES256', kid: jwk.kid ?? '' })
        .setExpirationTime('1m')
        .sign(await importSessionKey(otherKeys.privatePem, 'private'));
      await expect(remote.verify(forged)).resolves.toBeNull();
    } finally {
      server.close();
    }
  });

  it('answers 503, not 401, when the published keys cannot be fetched', async () => {
    const { freePort } = await import('@memo/stack');
    const remote = new SessionVerifier(
      remoteSessionKeys(new URL(`http://127.0.0.1:${await freePort()}/jwks.json`)),
      redis,
    );
    const { token } = await liveSession();
    await expect(remote.verify(token)).rejects.toMatchObject({ status: 503, code: 'unavailable' });
  });
});
