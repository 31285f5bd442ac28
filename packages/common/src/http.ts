import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
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
/** The headers every answer carries (HSTS is added when the request came over HTTPS). */
function securityHeaders(contentSecurityPolicy: string): [string, string][] {
  return [
    ['Content-Security-Policy', contentSecurityPolicy],
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'same-origin'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
  ];
}
const HSTS: [string, string] = ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'];
const TRUST_PROXY = 'loopback, linklocal, uniquelocal';

const requestId = (incoming: string | string[] | undefined): string =>
  typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();

export function createApp({ log, metrics, contentSecurityPolicy = API_CSP }: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', TRUST_PROXY);
  const headers = securityHeaders(contentSecurityPolicy);
  app.use((req, res, next) => {
    if (req.url.startsWith('//')) req.url = `/${req.url.replace(/^\/+/, '')}`;
    req.id = requestId(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', req.id);
    for (const [name, value] of headers) res.setHeader(name, value);
    if (req.secure) res.setHeader(...HSTS);
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

/** What a fast route answers: a JSON body (already serialized) and its own headers. */
export interface FastAnswer {
  status: number;
  body: string;
  headers?: readonly [string, string][];
}

export interface FastRoute {
  /** The route template, for logs and metrics, as express would name it. */
  route: string;
  handle(req: IncomingMessage, query: Readonly<Record<string, unknown>>): Promise<FastAnswer>;
}

/**
 * A fast lane in front of an express app for the hottest GET routes. express spends more per
 * request (prototype swaps, router walk, query and response helpers) than a memo read costs
 * in all; this lane gives the same request id, security headers, log line, metric and JSON
 * error shape as `createApp` and `errorHandler`, without that. Everything else (other
 * methods, other paths, HEAD) goes to `app` unchanged.
 */
export function withFastLane(
  { log, metrics, contentSecurityPolicy = API_CSP }: AppContext,
  app: Express,
  routes: ReadonlyMap<string, FastRoute>,
): RequestListener {
  const base = securityHeaders(contentSecurityPolicy);
  const trust = app.get('trust proxy fn') as (address: string, hop: number) => boolean;
  return (req: IncomingMessage, res: ServerResponse) => {
    let url = req.url ?? '/';
    if (req.method !== 'GET') return void app(req, res);
    if (url.startsWith('//')) url = `/${url.replace(/^\/+/, '')}`;
    const q = url.indexOf('?');
    const route = routes.get(q < 0 ? url : url.slice(0, q));
    if (!route) return void app(req, res);

    const start = process.hrtime.bigint();
    const id = requestId(req.headers['x-request-id']);
    const proto = req.headers['x-forwarded-proto'];
    const secure =
      'encrypted' in req.socket ||
      (typeof proto === 'string' &&
        proto.split(',')[0]?.trim() === 'https' &&
        trust(req.socket.remoteAddress ?? '', 0));
    const answer = ({ status, body, headers = [] }: FastAnswer): void => {
      const all: [string, string][] = [
        ...base,
        ...(secure ? [HSTS] : []),
        ['X-Request-Id', id],
        ['Content-Type', 'application/json; charset=utf-8'],
        ['Content-Length', String(Buffer.byteLength(body))],
        ...headers,
      ];
      res.writeHead(status, all.flat());
      res.end(body);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.httpDuration.observe({ method: 'GET', route: route.route, status: String(status) }, seconds);
      log.info({ reqId: id, method: 'GET', route: route.route, status, ms: Math.round(seconds * 1e4) / 10 }, 'request');
    };
    route.handle(req, parseQuery(q < 0 ? '' : url.slice(q + 1))).then(answer, (err: unknown) => {
      const httpError = toHttpError(err);
      if (httpError.status >= 500) {
        log.error(
          { reqId: id, err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : err },
          'request failed',
        );
      }
      answer({
        status: httpError.status,
        body: JSON.stringify(errorBody(httpError.code, httpError.message)),
        headers: Object.entries(httpError.headers),
      });
    });
  };
}
