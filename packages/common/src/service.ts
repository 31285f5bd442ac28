/**
 * What every service is built from, without Redis or sessions: configuration, errors, the log,
 * metrics, the express app with its fast lane, and how a service runs. web-service and
 * naver-stub import this rather than `@memo/common`, which also loads ioredis, jose and the rate
 * limiter: ~12 MB more resident each for code they never run (docs/decisions.md).
 */
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
export { startService, main } from './run.js';
export type { ServiceHandle, ServiceOptions, ReadyCheck } from './run.js';
export { isRedisFull, isRedisUnavailable } from './redis-errors.js';
