import {
  Metrics,
  createApp,
  createLogger,
  int,
  loadConfig,
  optionalUrl,
  serviceSpec,
  str,
  type ServiceOptions,
} from '@memo/common/service';
import { stubRoutes } from './stub.js';

export const SERVICE = 'naver-stub';

export const spec = {
  ...serviceSpec,
  NAVER_STUB_CLIENT_ID: str({ default: 'memo-local' }),
  NAVER_STUB_CLIENT_SECRET: str({ default: 'memo-local-secret' }),
  NAVER_STUB_SLOW_MS: int({ default: 15_000, min: 0 }),
  /** Where "연동 해제" sends Naver's unlink notice (auth-service's /naver/unlink); unset: nowhere. */
  NAVER_STUB_UNLINK_URL: optionalUrl(),
};

export function buildStub(env: NodeJS.ProcessEnv = process.env): ServiceOptions {
  const config = loadConfig(spec, env);
  const log = createLogger(SERVICE, config.LOG_LEVEL);
  const metrics = new Metrics(SERVICE);
  // Its login page has inline styles and a form that posts to itself, then redirects back.
  const app = createApp({
    log,
    metrics,
    trustProxy: config.TRUST_PROXY,
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: ["'unsafe-inline'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  });
  app.use(
    stubRoutes({
      clientId: config.NAVER_STUB_CLIENT_ID,
      clientSecret: config.NAVER_STUB_CLIENT_SECRET,
      slowMs: config.NAVER_STUB_SLOW_MS,
      ...(config.NAVER_STUB_UNLINK_URL ? { unlinkUrl: config.NAVER_STUB_UNLINK_URL } : {}),
    }),
  );
  return { name: SERVICE, host: config.HOST, port: config.PORT, adminPort: config.ADMIN_PORT, app, log, metrics };
}
