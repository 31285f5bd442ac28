import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { HttpError, errorBody } from './errors.js';
import type { Metrics } from './metrics.js';
import { isRedisUnavailable } from './redis.js';

const REQUEST_ID = /^[\w.:@-]{1,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
  }
}

export interface AppContext {
  readonly log: Logger;
  readonly metrics: Metrics;
  /** The Content-Security-Policy of this service's answers (APIs: nothing may load). */
  readonly contentSecurityPolicy?: string;
}

export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The route template a request matched, for logs and metrics (never the raw path). */
function routeOf(req: Request): string {
  const route: unknown = req.route;
  if (route && typeof route === 'object' && 'path' in route && typeof route.path === 'string') {
    return `${req.baseUrl}${route.path}`;
  }
  return 'unmatched';
}

/**
 * The express app every service starts from: request ids, one log line and one histogram
 * sample per request, and `//x` read as `/x` (some gateways rewrite a prefix to `//`).
 */
export function createApp({ log, metrics, contentSecurityPolicy = API_CSP }: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.use((req, res, next) => {
    if (req.url.startsWith('//')) req.url = `/${req.url.replace(/^\/+/, '')}`;
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    res.setHeader('Content-Security-Policy', contentSecurityPolicy);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = routeOf(req);
      metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      log.info(
        { reqId: req.id, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 },
        'request',
      );
    });
    next();
  });
  return app;
}

/**
 * JSON bodies only: a body with another content type is 415, a malformed one 400, an
 * oversized one 413 (the mapping is in `errorHandler`).
 */
export function jsonBody(limit: string | number): RequestHandler {
  const parse = express.json({
    limit,
    strict: true,
    type: 'application/json',
    // Bytes that are not UTF-8 cannot round-trip: refuse them rather than store U+FFFD.
    verify: (_req, _res, buf) => {
      if (!isUtf8(buf)) throw new Error('body is not UTF-8');
    },
  });
  return (req, res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is('application/json')) {
      next(new HttpError(415, 'unsupported_media_type', 'Send the body as application/json'));
      return;
    }
    parse(req, res, next);
  };
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Refuses state-changing requests that a browser sends from another site (on top of
 * SameSite=Lax): `Sec-Fetch-Site` when the browser sends it, else `Origin` against the host
 * the request was sent to. Requests without either (curl, servers) are not from a browser page.
 */
export function sameOriginWrites(): RequestHandler {
  return (req, _res, next) => {
    if (!WRITES.has(req.method)) {
      next();
      return;
    }
    const site = req.headers['sec-fetch-site'];
    if (typeof site === 'string') {
      if (site === 'same-origin' || site === 'none') next();
      else next(new HttpError(403, 'cross_origin', 'Requests from other sites are not allowed'));
      return;
    }
    const origin = req.headers.origin;
    if (origin === undefined) {
      next();
      return;
    }
    const forwarded = req.headers['x-forwarded-host'];
    const host =
      (typeof forwarded === 'string' && forwarded ? forwarded.split(',')[0]?.trim() : req.headers.host) ?? '';
    let originHost = '';
    try {
      originHost = new URL(origin).host;
    } catch {
      // "null" or garbage: not our origin
    }
    if (originHost !== '' && originHost === host) next();
    else next(new HttpError(403, 'cross_origin', 'Requests from other sites are not allowed'));
  };
}

interface BodyParserError {
  type: string;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return typeof err === 'object' && err !== null && 'type' in err && typeof err.type === 'string';
}

export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (isBodyParserError(err)) {
    switch (err.type) {
      case 'entity.too.large':
        return new HttpError(413, 'payload_too_large', 'The request body is too large');
      case 'entity.parse.failed':
        return new HttpError(400, 'invalid_json', 'The request body is not valid JSON');
      case 'entity.verify.failed':
        return new HttpError(400, 'invalid_encoding', 'The request body is not valid UTF-8');
      case 'charset.unsupported':
      case 'encoding.unsupported':
        return new HttpError(415, 'unsupported_media_type', 'Send the body as UTF-8 JSON');
      case 'request.aborted':
      case 'request.size.invalid':
        return new HttpError(400, 'bad_request', 'The request body was incomplete');
    }
  }
  // Errors express and its static server raise carry a 4xx status (bad path encoding, a
  // forbidden path, an aborted request): they are the client's, never a 500.
  const status = statusOf(err);
  if (status !== undefined && status >= 400 && status < 500) {
    const codes: Record<number, [string, string]> = {
      403: ['forbidden', 'Not allowed'],
      404: ['not_found', 'No such resource'],
      405: ['method_not_allowed', 'Method not allowed'],
      413: ['payload_too_large', 'The request body is too large'],
      416: ['range_not_satisfiable', 'Range not satisfiable'],
    };
    const [code, message] = codes[status] ?? ['bad_request', 'The request is malformed'];
    return new HttpError(status, code, message);
  }
  if (isRedisUnavailable(err)) {
    return new HttpError(503, 'unavailable', 'The service is temporarily unavailable, please retry', {
      'Retry-After': '1',
    });
  }
  return new HttpError(500, 'internal', 'Something went wrong on our side');
}

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status = 'status' in err ? err.status : 'statusCode' in err ? err.statusCode : undefined;
  return typeof status === 'number' ? status : undefined;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const httpError = toHttpError(err);
    if (httpError.status >= 500) {
      log.error(
        { reqId: req.id, err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : err },
        'request failed',
      );
    }
    res.status(httpError.status).set(httpError.headers).json(errorBody(httpError.code, httpError.message));
  };
}

export function notFoundHandler(): RequestHandler {
  return (_req, res) => {
    res.status(404).json(errorBody('not_found', 'No such resource'));
  };
}
