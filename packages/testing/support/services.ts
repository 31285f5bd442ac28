import { importSessionKey, publicJwk, startService, type RedisClient, type ServiceHandle } from '@memo/common';
import { SessionIssuer } from '../../../services/auth-service/src/sessions.js';
import { buildAuthService } from '../../../services/auth-service/src/app.js';
import { loadAuthConfig } from '../../../services/auth-service/src/config.js';
import { buildMemoService } from '../../../services/memo-service/src/app.js';
import { loadMemoConfig } from '../../../services/memo-service/src/config.js';
import { buildStub } from '../../../services/naver-stub/src/app.js';
import type { ServiceUser } from '@memo/stack';
import { redisAs, redisClient, redisUrl, type KeyPair } from './env.js';

/** This run's Redis, as `user`, unless `env` names another Redis. */
const asUser = (user: ServiceUser, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv =>
  !env.REDIS_URL || env.REDIS_URL === redisUrl() ? redisAs(user) : {};

/**
 * Each service runs in the test process over real sockets, on free loopback ports, and on this
 * run's Redis as its own Redis user (unless `env` names another Redis).
 */
const common = (): NodeJS.ProcessEnv => ({ HOST: '127.0.0.1', PORT: '0', ADMIN_PORT: '0', LOG_LEVEL: 'silent' });

export async function startMemo(keys: KeyPair, env: NodeJS.ProcessEnv = {}): Promise<ServiceHandle> {
  const config = loadMemoConfig({
    ...common(),
    ...asUser('memo-service', env),
    SESSION_PUBLIC_KEY: keys.publicPem,
    MEMO_WRITE_RATE_LIMIT: '0',
    ...env,
  });
  return startService(await buildMemoService(config));
}

export async function startStub(env: NodeJS.ProcessEnv = {}): Promise<ServiceHandle> {
  return startService(buildStub({ ...common(), NAVER_STUB_SLOW_MS: '3000', ...env }));
}

export async function startAuth(keys: KeyPair, stubUrl: string, env: NodeJS.ProcessEnv = {}): Promise<ServiceHandle> {
  const config = loadAuthConfig({
    ...common(),
    ...asUser('auth-service', env),
    PUBLIC_URL: 'http://memo.test/',
    SESSION_PRIVATE_KEY: keys.privatePem,
    NAVER_CLIENT_ID: 'memo-local',
    NAVER_CLIENT_SECRET: 'memo-local-secret',
    NAVER_AUTHORIZE_URL: `${stubUrl}/oauth2.0/authorize`,
    NAVER_TOKEN_URL: `${stubUrl}/oauth2.0/token`,
    NAVER_PROFILE_URL: `${stubUrl}/v1/nid/me`,
    NAVER_REVOKE_URL: `${stubUrl}/oauth2.0/revoke`,
    NAVER_TIMEOUT_MS: '1000',
    LOGIN_RATE_LIMIT: '0',
    ...env,
  });
  return startService(await buildAuthService(config));
}

/** A real session cookie for `userId`, minted the way auth-service mints one. */
export async function sessionCookie(keys: KeyPair, userId: string, client?: RedisClient): Promise<string> {
  const redis = client ?? redisClient();
  try {
    const kid = (await publicJwk(keys.privatePem)).kid ?? '';
    const issuer = new SessionIssuer(await importSessionKey(keys.privatePem, 'private'), kid, redis, {
      ttlSeconds: 3600,
      maxPerUser: 10,
    });
    return `userId=${await issuer.create(userId)}`;
  } finally {
    if (!client) redis.disconnect();
  }
}
