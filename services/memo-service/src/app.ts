import {
  Metrics,
  SessionVerifier,
  createApp,
  createLogger,
  createRedis,
  errorHandler,
  importSessionKey,
  notFoundHandler,
  RateLimiter,
  sameOriginWrites,
  remoteSessionKeys,
  waitReady,
  withFastLane,
  type ServiceOptions,
} from '@memo/common';
import type { Config } from './config.js';
import { listRoute, memoRoutes } from './routes.js';
import { MemoStore } from './store.js';

export const SERVICE = 'memo-service';

/** Wires memo-service from its configuration; `startService` runs what this returns. */
export async function buildMemoService(config: Config): Promise<ServiceOptions> {
  const log = createLogger(SERVICE, config.LOG_LEVEL);
  const metrics = new Metrics(SERVICE);
  const redis = createRedis(config, log, { histogram: metrics.redisHistogram() });
  // Start even when Redis is away (readiness says so); it is usually there within milliseconds.
  await waitReady(redis, 3_000).catch(() => log.warn('redis not reachable yet: answering 503 until it is'));
  const keys = config.SESSION_PUBLIC_KEY
    ? await importSessionKey(config.SESSION_PUBLIC_KEY, 'public')
    : remoteSessionKeys(config.SESSION_JWKS_URL ?? new URL('http://invalid'));
  const verifier = new SessionVerifier(keys, redis);
  const app = createApp({ log, metrics });
  const store = new MemoStore(redis);
  const memos = metrics.counter('memo_memos_total', 'Memos created, edited and deleted', ['action']);
  app.use(sameOriginWrites());
  app.use(
    '/',
    memoRoutes({
      store,
      verifier,
      limits: config,
      writes: new RateLimiter(redis, 'memo-writes', config.MEMO_WRITE_RATE_LIMIT, 60_000),
      onChange: (action) => memos.inc({ action }),
    }),
  );
  app.use(notFoundHandler());
  app.use(errorHandler(log));
  return {
    name: SERVICE,
    host: config.HOST,
    port: config.PORT,
    adminPort: config.ADMIN_PORT,
    // GET / (a page of memos) is nine requests in ten: it skips express (see withFastLane).
    app: withFastLane({ log, metrics }, app, new Map([['/', listRoute({ store, verifier, limits: config })]])),
    log,
    metrics,
    ready: () => redis.status === 'ready',
    onClose: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
