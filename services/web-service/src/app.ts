import {
  Metrics,
  createApp,
  createLogger,
  errorHandler,
  loadConfig,
  notFoundHandler,
  serviceSpec,
  type CspDirectives,
  type ServiceOptions,
} from '@memo/common';
import { loadPageAssets, servePage, type PageAssets } from './assets.js';

export const SERVICE = 'web-service';

export const CONTENT_SECURITY_POLICY: CspDirectives = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

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
