import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { HttpError, errorBody, storageFull } from './errors.js';
import type { TrustProxy } from './client.js';
import type { Metrics } from './metrics.js';
import { isRedisFull, isRedisUnavailable } from './redis.js';

const REQUEST_ID = /^[\w.:@-]{1,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
  }
}

export interface AppContext {
  readonly log: Logger;
  readonly metrics: Metrics;
  /** The proxies whose X-Forwarded-For is believed (TRUST_PROXY); none when absent. */
  readonly trustProxy?: TrustProxy;
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

const requestId = (incoming: string | string[] | undefined): string =>
  typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();

/** `//x` read as `/x` (some gateways rewrite a prefix to `//`). */
const normalizePath = (url: string): string => (url.startsWith('//') ? `/${url.replace(/^\/+/, '')}` : url);

/** One histogram sample and one log line for an answered request. */
function recordRequest(
  { log, metrics }: AppContext,
  request: { reqId: string; method: string; route: string; status: number; start: bigint },
): void {
  const { reqId, method, route, status, start } = request;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  metrics.httpDuration.observe({ method, route, status: String(status) }, seconds);
  log.info({ reqId, method, route, status, ms: Math.round(seconds * 1e4) / 10 }, 'request');
}

/** What a failed request answers; a failure of ours (5xx) is also logged with its detail. */
function failureOf(err: unknown, log: Logger, reqId: string): HttpError {
  const httpError = toHttpError(err);
  if (httpError.status >= 500) {
    log.error(
      { reqId, err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : err },
      'request failed',
    );
  }
  return httpError;
}

/**
 * The express app every service starts from: request ids, security headers, one log line and
 * one histogram sample per request, and `//x` read as `/x`.
 */
export function createApp(context: AppContext): Express {
  const { contentSecurityPolicy = API_CSP } = context;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', context.trustProxy ?? false);
  const headers = securityHeaders(contentSecurityPolicy);
  app.use((req, res, next) => {
    req.url = normalizePath(req.url);
    req.id = requestId(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', req.id);
    for (const [name, value] of headers) res.setHeader(name, value);
    if (req.secure) res.setHeader(...HSTS);
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      recordRequest(context, { reqId: req.id, method: req.method, route: routeOf(req), status: res.statusCode, start });
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
    if (WRITES.has(req.method) && fromAnotherSite(req.headers)) next(crossOrigin());
    else next();
  };
}

const crossOrigin = (): HttpError => new HttpError(403, 'cross_origin', 'Requests from other sites are not allowed');

/** Whether a browser sent this from another site (see sameOriginWrites). */
export function fromAnotherSite(headers: IncomingMessage['headers']): boolean {
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = headers.origin;
  if (origin === undefined) return false;
  const forwarded = headers['x-forwarded-host'];
  const host = (typeof forwarded === 'string' && forwarded ? forwarded.split(',')[0]?.trim() : headers.host) ?? '';
  let originHost = '';
  try {
    originHost = new URL(origin).host;
  } catch {
    // "null" or garbage: not our origin
  }
  return originHost === '' || originHost !== host;
}

interface BodyParserError {
  type: string;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return typeof err === 'object' && err !== null && 'type' in err && typeof err.type === 'string';
}

/** The answer to a body that could not be read, by body-parser's error type. */
const BODY_ERRORS = {
  'entity.too.large': () => new HttpError(413, 'payload_too_large', 'The request body is too large'),
  'entity.parse.failed': () => new HttpError(400, 'invalid_json', 'The request body is not valid JSON'),
  'entity.verify.failed': () => new HttpError(400, 'invalid_encoding', 'The request body is not valid UTF-8'),
  'charset.unsupported': () => new HttpError(415, 'unsupported_media_type', 'Send the body as UTF-8 JSON'),
  'encoding.unsupported': () => new HttpError(415, 'unsupported_media_type', 'Send the body as UTF-8 JSON'),
  'request.aborted': () => new HttpError(400, 'bad_request', 'The request body was incomplete'),
  'request.size.invalid': () => new HttpError(400, 'bad_request', 'The request body was incomplete'),
} satisfies Record<string, () => HttpError>;
type BodyErrorType = keyof typeof BODY_ERRORS;

const isBodyErrorType = (type: string): type is BodyErrorType => Object.hasOwn(BODY_ERRORS, type);

export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (isBodyParserError(err) && isBodyErrorType(err.type)) return BODY_ERRORS[err.type]();
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
  if (isRedisFull(err)) return storageFull();
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
    const httpError = failureOf(err, log, req.id);
    res
      .status(httpError.status)
      .set(httpError.headers)
      .json(errorBody(httpError.code, httpError.message, httpError.details));
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

export interface FastRequest {
  readonly req: IncomingMessage;
  readonly query: Readonly<Record<string, unknown>>;
  /**
   * The JSON body, read and parsed when asked (after the handler's own checks, as express
   * middleware order would have it): 400 invalid_json / invalid_encoding, as `jsonBody`.
   */
  json: () => Promise<unknown>;
}

export interface FastRoute {
  /** The route template, for logs and metrics, as express would name it. */
  route: string;
  /** For routes with a body: the largest one; anything unusual goes to express. */
  bodyLimit?: number;
  handle(request: FastRequest): Promise<FastAnswer>;
}

const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
// JSON whitespace (space, tab, LF, CR) is all that may come before the first character.
const FIRST_CHAR = /^[ \t\n\r]*([^ \t\n\r])/;

/**
 * Whether the fast lane may read this body itself: plain UTF-8 JSON with a Content-Length
 * within the limit. Anything else (chunked, compressed, another type or charset, too large)
 * goes to express, whose answers for those cases stay the reference.
 */
function plainJson(req: IncomingMessage, limit: number): boolean {
  const type = req.headers['content-type'];
  const length = req.headers['content-length'];
  return (
    typeof type === 'string' &&
    JSON_TYPE.test(type) &&
    req.headers['content-encoding'] === undefined &&
    req.headers['transfer-encoding'] === undefined &&
    typeof length === 'string' &&
    /^\d{1,9}$/.test(length) &&
    Number(length) > 0 &&
    Number(length) <= limit
  );
}

/** The body as `jsonBody` reads it (strict JSON, UTF-8), failing with the same answers. */
function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const fail = (type: BodyErrorType): void => reject(BODY_ERRORS[type]());
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => fail('request.aborted'));
    req.on('aborted', () => fail('request.aborted'));
    req.on('end', () => {
      const buf = Buffer.concat(chunks);
      if (buf.length !== Number(req.headers['content-length'])) return fail('request.size.invalid');
      if (!isUtf8(buf)) return fail('entity.verify.failed');
      const text = buf.toString('utf8');
      const first = FIRST_CHAR.exec(text)?.[1];
      try {
        if (first !== '{' && first !== '[') throw new Error('not an object or array');
        resolve(JSON.parse(text));
      } catch {
        fail('entity.parse.failed');
      }
    });
  });
}

/**
 * A fast lane in front of an express app for the hottest routes (keys `GET /`, `POST /`).
 * express spends more per request (prototype swaps, router walk, helpers) than a memo read
 * or write costs in all; this lane gives the same request id, security headers, same-origin
 * check for writes, log line, metric and JSON error shape as `createApp`, `sameOriginWrites`,
 * `jsonBody` and `errorHandler`, without that. Everything else (other methods and paths,
 * HEAD, unusual bodies) goes to `app` unchanged.
 */
export function withFastLane(
  context: AppContext,
  app: Express,
  routes: ReadonlyMap<string, FastRoute>,
): RequestListener {
  const { log, contentSecurityPolicy = API_CSP } = context;
  const base = securityHeaders(contentSecurityPolicy);
  const trust = app.get('trust proxy fn') as (address: string, hop: number) => boolean;
  return (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? '';
    if (method !== 'GET' && method !== 'POST') return void app(req, res);
    const url = normalizePath(req.url ?? '/');
    const q = url.indexOf('?');
    const route = routes.get(`${method} ${q < 0 ? url : url.slice(0, q)}`);
    if (!route) return void app(req, res);
    if (route.bodyLimit !== undefined && !plainJson(req, route.bodyLimit)) return void app(req, res);

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
      recordRequest(context, { reqId: id, method, route: route.route, status, start });
    };
    const fail = (err: unknown): void => {
      const httpError = failureOf(err, log, id);
      answer({
        status: httpError.status,
        body: JSON.stringify(errorBody(httpError.code, httpError.message, httpError.details)),
        headers: Object.entries(httpError.headers),
      });
    };
    if (WRITES.has(method) && fromAnotherSite(req.headers)) return fail(crossOrigin());
    let body: Promise<unknown> | undefined;
    route
      .handle({
        req,
        query: parseQuery(q < 0 ? '' : url.slice(q + 1)),
        json: () => (body ??= readJson(req)),
      })
      .then(answer, fail);
  };
}
