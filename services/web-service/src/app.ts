import {
  Metrics,
  createApp,
  createLogger,
  errorHandler,
  loadConfig,
  notFoundHandler,
  serviceSpec,
  type ServiceOptions,
} from '@memo/common';
import { loadPageAssets, servePage, type PageAssets } from './assets.js';

export const SERVICE = 'web-service';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function buildWebService(
  env: NodeJS.ProcessEnv = process.env,
  assets: PageAssets = loadPageAssets(),
): ServiceOptions {
  const config = loadConfig(serviceSpec, env);
  const log = createLogger(SERVICE, config.LOG_LEVEL);
  const metrics = new Metrics(SERVICE);
  const app = createApp({
    log,
    metrics,
    trustProxy: config.TRUST_PROXY,
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
  });
  app.use(servePage(assets));
  app.use(notFoundHandler());
  app.use(errorHandler(log));
  return { name: SERVICE, host: config.HOST, port: config.PORT, adminPort: config.ADMIN_PORT, app, log, metrics };
}
