/** Everything in common: what every service is built from (service.ts), and Redis, sessions, keys. */
export * from './service.js';
export { createRedis, waitReady, redisMemoryMetrics } from './redis.js';
export { RateLimiter } from './ratelimit.js';
export type { Redis, RedisClient, RedisWhere } from './redis.js';
export {
  SessionVerifier,
  importSessionKey,
  publicJwk,
  remoteSessionKeys,
  legacySessionLive,
  endedBy,
  SESSION_ALG,
  SESSION_ISSUER,
  SESSION_AUDIENCE,
} from './session.js';
export * from './keys.js';
export type { Session } from './session.js';
