import { fileURLToPath } from 'node:url';
import express from 'express';
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

export const SERVICE = 'web-service';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
/** The page's static files and its compiled script. */
export const STATIC_DIRS = [here('../page/static'), here('./public')];

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

export function buildWebService(env: NodeJS.ProcessEnv = process.env): ServiceOptions {
  const config = loadConfig(serviceSpec, env);
  const log = createLogger(SERVICE, config.LOG_LEVEL);
  const metrics = new Metrics(SERVICE);
  const app = createApp({ log, metrics, contentSecurityPolicy: CONTENT_SECURITY_POLICY });
  for (const dir of STATIC_DIRS) {
    app.use(
      express.static(dir, {
        index: 'index.html',
        dotfiles: 'ignore',
        redirect: false,
        setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
      }),
    );
  }
  app.use(notFoundHandler());
  app.use(errorHandler(log));
  return { name: SERVICE, host: config.HOST, port: config.PORT, adminPort: config.ADMIN_PORT, app, log, metrics };
}
