import {
  Metrics,
  createApp,
  createLogger,
  errorHandler,
  loadConfig,
  notFoundHandler,
  serviceSpec,
  bool,
  int,
  str,
  type CspDirectives,
  type ServiceOptions,
} from '@memo/common/service';
import { loadPageAssets, servePage, type PageAssets } from './assets.js';

export const SERVICE = 'web-service';

export const CONTENT_SECURITY_POLICY: CspDirectives = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  // The service worker (sw.js) and the web app manifest, from this site only.
  workerSrc: ["'self'"],
  manifestSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export const spec = {
  ...serviceSpec,
  /** The operator's contact for the privacy notice (개인정보 보호책임자): a name and an e-mail address. */
  PRIVACY_CONTACT: str({ default: '' }),
  /** auth-service's AOF_REWRITE_INTERVAL_SECONDS, for what the notice promises about deleted data. */
  AOF_REWRITE_INTERVAL_SECONDS: int({ default: 600, min: 0, max: 86_400 }),
  /** memo-service's TRASH_DAYS, for what the notice says of deleted memos. */
  TRASH_DAYS: int({ default: 30, min: 0, max: 365 }),
  /** memo-service's HISTORY_VERSIONS, for what the notice says of the texts edits replace. */
  HISTORY_VERSIONS: int({ default: 20, min: 0, max: 100 }),
  /** memo-service's SHARING: the page a share link opens is served (`/s/<token>`), and the notice says so. */
  SHARING: bool(true),
};

export function buildWebService(env: NodeJS.ProcessEnv = process.env, assets?: PageAssets): ServiceOptions {
  const config = loadConfig(spec, env);
  const page =
    assets ??
    loadPageAssets(undefined, {
      contact: config.PRIVACY_CONTACT,
      // The rewrite is asked for within the interval, checked every minute.
      aofMinutes: Math.ceil(config.AOF_REWRITE_INTERVAL_SECONDS / 60) + 1,
      trashDays: config.TRASH_DAYS,
      historyVersions: config.HISTORY_VERSIONS,
      sharing: config.SHARING,
    });
  const log = createLogger(SERVICE, config.LOG_LEVEL);
  const metrics = new Metrics(SERVICE);
  const app = createApp({
    log,
    metrics,
    trustProxy: config.TRUST_PROXY,
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
  });
  app.use(servePage(page, { sharing: config.SHARING }));
  app.use(notFoundHandler());
  app.use(errorHandler(log));
  return { name: SERVICE, host: config.HOST, port: config.PORT, adminPort: config.ADMIN_PORT, app, log, metrics };
}
