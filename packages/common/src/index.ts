export {
  ConfigError,
  loadConfig,
  str,
  optionalStr,
  optionalUrl,
  bool,
  int,
  url,
  oneOf,
  serviceSpec,
  redisSpec,
  trustProxy,
} from './config.js';
export { clientKey, parseTrustProxy } from './client.js';
export type { TrustProxy } from './client.js';
export type { ConfigOf, Field, Spec } from './config.js';
export { HttpError, errorBody, unauthorized, notFound, unavailable, storageFull } from './errors.js';
export type { ErrorBody } from './errors.js';
export { createLogger } from './logger.js';
export type { Logger } from './logger.js';
export { Metrics, RELEASE_VERSION } from './metrics.js';
export { readCookie, serializeCookie, SESSION_COOKIE } from './cookies.js';
export type { CookieOptions } from './cookies.js';
export { createRedis, waitReady, isRedisUnavailable, isRedisFull, redisMemoryMetrics } from './redis.js';
export { RateLimiter } from './ratelimit.js';
export type { Redis, RedisClient, RedisWhere } from './redis.js';
export { jsonBody, refuseNonUtf8 } from './json-body.js';
export {
  createApp,
  errorHandler,
  notFoundHandler,
  openApiDescription,
  toHttpError,
  sameOriginWrites,
  fromAnotherSite,
  sendJson,
  sendJsonText,
  withFastLane,
  API_CSP,
} from './http.js';
export type { AppContext, CspDirectives, LaneRoute } from './http.js';
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
export { startService, main } from './run.js';
export type { ServiceHandle, ServiceOptions, ReadyCheck } from './run.js';
