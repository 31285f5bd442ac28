import {
  Metrics,
  SessionVerifier,
  createApp,
  createLogger,
  createRedis,
  redisMemoryMetrics,
  errorHandler,
  importSessionKey,
  notFoundHandler,
  RateLimiter,
  withFastLane,
  remoteSessionKeys,
  waitReady,
  type ServiceOptions,
} from '@memo/common';
import type { Config } from './config.js';
import { memoRoutes, type MemoDeps } from './routes.js';
import { Admission } from './admission.js';
import { MemoStore } from '@memo/store';

export const SERVICE = 'memo-service';

/** Wires memo-service from its configuration; `startService` runs what this returns. */
export async function buildMemoService(config: Config): Promise<ServiceOptions> {
  const log = createLogger(SERVICE, config.LOG_LEVEL);
  const metrics = new Metrics(SERVICE);
  const redis = createRedis(config, log, { histogram: metrics.redisHistogram() });
  redisMemoryMetrics(metrics.registry, redis);
  // Start even when Redis is away (readiness says so); it is usually there within milliseconds.
  await waitReady(redis, 3_000).catch(() => log.warn('redis not reachable yet: answering 503 until it is'));
  const keys = config.SESSION_PUBLIC_KEY
    ? await importSessionKey(config.SESSION_PUBLIC_KEY, 'public')
    : remoteSessionKeys(config.SESSION_JWKS_URL ?? new URL('http://invalid'));
  const verifier = new SessionVerifier(keys, redis);
  const app = createApp({ log, metrics, trustProxy: config.TRUST_PROXY, sameOriginWrites: true });
  const store = new MemoStore(redis, {
    maxCount: config.MEMO_MAX_COUNT,
    maxBytes: config.MEMO_MAX_BYTES,
    trashDays: config.TRASH_DAYS,
    historyVersions: config.HISTORY_VERSIONS,
    maxShares: config.SHARE_MAX,
  });
  const memos = metrics.counter(
    'memo_memos_total',
    'Memos created, edited, deleted, restored from the trash, deleted for good, set back to an earlier version, archived, taken out of the archive, shared and unshared',
    ['action'],
  );
  const opens = metrics.counter(
    'memo_share_opens_total',
    'Share links opened, by outcome: shown, gone (never was, expired, revoked, memo gone), limited (429), off (sharing turned off)',
    ['outcome'],
  );
  const deps: MemoDeps = {
    store,
    verifier,
    limits: config,
    writes: new RateLimiter(redis, 'memo-writes', config.MEMO_WRITE_RATE_LIMIT),
    // A hold a little longer than the longest heavy request, should a process die holding it.
    admission: new Admission(store.scripts, config.HEAVY_MAX_PER_PROCESS, config.HEAVY_DEADLINE_MS + 5_000),
    shareOpens: new RateLimiter(redis, 'share-opens', config.SHARE_OPEN_RATE_LIMIT),
    onChange: (action, n = 1) => memos.inc({ action }, n),
    onShareOpen: (outcome) => opens.inc({ outcome }),
  };
  const routes = memoRoutes(deps);
  const onError = errorHandler(log);
  app.use('/', routes.router);
  app.use(notFoundHandler());
  app.use(onError);
  return {
    name: SERVICE,
    host: config.HOST,
    port: config.PORT,
    adminPort: config.ADMIN_PORT,
    // Reading a page and adding a memo are nearly all the traffic: the fast lane runs their
    // handlers without express's router (withFastLane); everything else goes through express.
    app: config.FAST_LANE ? withFastLane(app, routes.hot, onError) : app,
    log,
    metrics,
    ready: () => redis.status === 'ready',
    onClose: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
