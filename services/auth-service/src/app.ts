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
  publicJwk,
  waitReady,
  type ServiceOptions,
} from '@memo/common';
import type { Config } from './config.js';
import { NaverClient } from './naver.js';
import { LoginStates } from './login-state.js';
import { AccountEraser } from './account.js';
import { authRoutes } from './routes.js';
import { NaverTokenStore } from './tokens.js';
import { SessionIssuer } from './sessions.js';
import { UserStore } from './users.js';

export const SERVICE = 'auth-service';

export async function buildAuthService(config: Config): Promise<ServiceOptions> {
  const log = createLogger(SERVICE, config.LOG_LEVEL);
  const metrics = new Metrics(SERVICE);
  const logins = metrics.counter('memo_logins_total', 'Logins by outcome', ['outcome']);
  const redis = createRedis(config, log, { histogram: metrics.redisHistogram() });
  redisMemoryMetrics(metrics.registry, redis);
  // Start even when Redis is away (readiness says so); it is usually there within milliseconds.
  await waitReady(redis, 3_000).catch(() => log.warn('redis not reachable yet: answering 503 until it is'));
  const privateKey = await importSessionKey(config.SESSION_PRIVATE_KEY, 'private');
  const jwk = await publicJwk(config.SESSION_PRIVATE_KEY);
  // The verifier uses the public half only, exactly as memo-service does.
  const verifier = new SessionVerifier(await importSessionKey(config.SESSION_PRIVATE_KEY, 'public'), redis);
  const naver = new NaverClient({
    clientId: config.NAVER_CLIENT_ID,
    clientSecret: config.NAVER_CLIENT_SECRET,
    tokenUrl: config.NAVER_TOKEN_URL,
    profileUrl: config.NAVER_PROFILE_URL,
    revokeUrl: config.NAVER_REVOKE_URL,
    timeoutMs: config.NAVER_TIMEOUT_MS,
  });
  const tokens = new NaverTokenStore(redis, config.SESSION_PRIVATE_KEY, config.SESSION_TTL_SECONDS);
  const eraser = new AccountEraser(redis, naver, tokens, log, {
    aofRewriteSeconds: config.AOF_REWRITE_INTERVAL_SECONDS,
    sessionTtlSeconds: config.SESSION_TTL_SECONDS,
  });
  const app = createApp({ log, metrics, trustProxy: config.TRUST_PROXY, sameOriginWrites: true });
  app.use(
    '/',
    authRoutes({
      config,
      redis,
      naver,
      sessions: new SessionIssuer(privateKey, jwk.kid ?? '', redis, {
        ttlSeconds: config.SESSION_TTL_SECONDS,
        maxPerUser: config.SESSION_MAX_PER_USER,
      }),
      jwks: { keys: [jwk] },
      verifier,
      users: new UserStore(redis),
      tokens,
      eraser,
      log,
      onLogin: (outcome) => logins.inc({ outcome }),
      logins: new RateLimiter(redis, 'logins', config.LOGIN_RATE_LIMIT),
      loginStates: new LoginStates(redis, config.LOGIN_STATE_TTL_SECONDS, config.LOGIN_STATE_MAX),
    }),
  );
  app.use(notFoundHandler());
  app.use(errorHandler(log));
  return {
    name: SERVICE,
    host: config.HOST,
    port: config.PORT,
    adminPort: config.ADMIN_PORT,
    app,
    log,
    metrics,
    ready: () => redis.status === 'ready',
    onClose: async () => {
      eraser.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
