import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { HttpError, errorBody, storageFull } from './errors.js';
import type { TrustProxy } from './client.js';
import type { Metrics } from './metrics.js';
import { isRedisFull, isRedisUnavailable } from './redis-errors.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The request id (from X-Request-Id when sane, else made by `createApp`). */
    id: string;
  }
}

/** Directives of a Content-Security-Policy, as helmet takes them. */
export type CspDirectives = Readonly<Record<string, readonly string[]>>;

export interface AppContext {
  readonly log: Logger;
  readonly metrics: Metrics;
  /** The proxies whose X-Forwarded-For is believed (TRUST_PROXY); none when absent. */
  readonly trustProxy?: TrustProxy;
  /** The Content-Security-Policy of this service's answers (APIs: nothing may load). */
  readonly contentSecurityPolicy?: CspDirectives;
  /** Refuse writes a browser sends from another site (`sameOriginWrites`), before any route. */
  readonly sameOriginWrites?: boolean;
}

/** An API loads nothing, is framed by nobody, and posts no form. */
export const API_CSP: CspDirectives = {
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

const REQUEST_ID = /^[\w.:@-]{1,128}$/;

/** The incoming X-Request-Id when it is a sane one (the ingress sets one), else a new one. */
const requestId = (incoming: string | string[] | undefined): string =>
  typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();

/** The route template a request matched, for logs and metrics (never the raw path). */
function routeOf(req: Request): string {
  const route: unknown = req.route;
  if (route && typeof route === 'object' && 'path' in route && typeof route.path === 'string') {
    return `${req.baseUrl}${route.path}`;
  }
  return 'unmatched';
}

/**
 * The request id (taken from X-Request-Id when sane, else made, and returned in the answer),
 * then, once answered, one histogram sample and one log line: method, route template, status
 * and time. No URL, header or body is logged: paths and queries can carry codes and states.
 * Ours rather than pino-http's: docs/decisions.md has the figures.
 */
function requestLog({ log, metrics }: AppContext): RequestHandler {
  return (req, res, next) => {
    const start = performance.now();
    const reqId = requestId(req.headers['x-request-id']);
    req.id = reqId;
    res.setHeader('X-Request-Id', reqId);
    res.once('finish', () => {
      const seconds = (performance.now() - start) / 1000;
      const { method } = req;
      const route = routeOf(req);
      const status = res.statusCode;
      metrics.httpDuration.observe({ method, route, status: String(status) }, seconds);
      log.info({ reqId, method, route, status, ms: Math.round(seconds * 1e4) / 10 }, 'request');
    });
    next();
  };
}

/** The middleware `createApp` put in front of every route, by app (the fast lane runs them too). */
const FRONT = new WeakMap<Express, readonly RequestHandler[]>();

/**
 * The express app every service starts from: `//x` read as `/x` (some gateways rewrite a
 * prefix to `//`), the request id, log line and metric, the security headers (helmet: our
 * CSP, no framing at all, no referrer) and, when asked, the same-origin check for writes.
 */
export function createApp(context: AppContext): Express {
  const { contentSecurityPolicy = API_CSP } = context;
  const api = contentSecurityPolicy === API_CSP;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', context.trustProxy ?? false);
  const front: RequestHandler[] = [
    (req, _res, next) => {
      if (req.url.startsWith('//')) req.url = `/${req.url.replace(/^\/+/, '')}`;
      next();
    },
    requestLog(context),
    fixedHeaders(
      helmet({
        contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy },
        xFrameOptions: { action: 'deny' },
        // An API answers JSON, never a document: the headers that only steer how a browser treats
        // a page (and old IE's downloads and Flash) are left to the page's service. Each answer is
        // ~200 bytes lighter, which the proxy in front notices (docs/decisions.md).
        ...(api
          ? {
              originAgentCluster: false,
              xDnsPrefetchControl: false,
              xDownloadOptions: false,
              xPermittedCrossDomainPolicies: false,
              xXssProtection: false,
            }
          : {}),
      }),
    ),
    ...(context.sameOriginWrites ? [sameOriginWrites()] : []),
  ];
  FRONT.set(app, front);
  app.use(...front);
  return app;
}

/**
 * helmet's headers, asked of helmet once and set on every answer: with our options (a fixed
 * policy, no nonce) they do not depend on the request, and helmet's chain of a dozen
 * middlewares cost more per answer than setting them (docs/benchmarks.md). Asked twice, of two
 * different requests, to be sure; a difference is an error at start, not a silent change.
 */
export function fixedHeaders(middleware: RequestHandler): RequestHandler {
  const ask = (url: string): [string, string][] => {
    const headers = new Map<string, string>();
    const res = {
      setHeader: (name: string, value: unknown) => headers.set(name, String(value)),
      removeHeader: (name: string) => headers.delete(name),
      getHeader: (name: string) => headers.get(name),
    };
    const called = { next: false };
    middleware({ method: 'GET', url, headers: {} } as Request, res as unknown as Response, () => {
      called.next = true;
    });
    if (!called.next) throw new Error('security headers: the middleware did not answer at once');
    return [...headers].sort(([a], [b]) => a.localeCompare(b));
  };
  const fixed = ask('/');
  if (JSON.stringify(ask('/other?x=1')) !== JSON.stringify(fixed)) throw new Error('security headers vary by request');
  return (_req, res, next) => {
    for (const [name, value] of fixed) res.setHeader(name, value);
    next();
  };
}

/**
 * Sends a JSON answer with node's own response methods, so that a handler answers the same
 * whether express or the fast lane called it. (HEAD answers carry no body: node drops it.)
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  sendJsonText(res, status, JSON.stringify(value), headers);
}

/** As sendJson, for a body that is JSON text already (memo-service's page: its entries spliced). */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  json: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.statusCode = status;
  for (const name in headers) res.setHeader(name, headers[name] ?? '');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  // The length is counted, not encoded: node writes the string to the socket itself (a Buffer
  // of the body first was 1.4 KB more garbage per page).
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
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

/** What a failed request answers; a failure of ours (5xx) is also logged with its detail. */
function failureOf(err: unknown, log: Logger, reqId: unknown): HttpError {
  const httpError = toHttpError(err);
  if (httpError.status >= 500) {
    log.error(
      { reqId, err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : err },
      'request failed',
    );
  }
  return httpError;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const httpError = failureOf(err, log, req.id);
    sendJson(res, httpError.status, errorBody(httpError.code, httpError.message, httpError.details), httpError.headers);
  };
}

/** Serves a service's OpenAPI description (YAML), read once at start; clients revalidate it. */
export function openApiDescription(file: string): RequestHandler {
  const body = readFileSync(file, 'utf8');
  return (_req, res) => {
    res.status(200).set({ 'Content-Type': 'application/yaml; charset=utf-8', 'Cache-Control': 'no-cache' }).end(body);
  };
}

export function notFoundHandler(): RequestHandler {
  return (_req, res) => {
    sendJson(res, 404, errorBody('not_found', 'No such resource'));
  };
}

/** A route the fast lane serves: its handlers are the very ones express runs for it. */
export interface LaneRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /**
   * The path as the route is registered in express: exact, or one parameter segment (`/:id`),
   * which the lane only takes when the segment is plain (letters and digits); anything else
   * goes to express, whose decoding stays the reference.
   */
  readonly path: string;
  readonly handlers: readonly RequestHandler[];
}

const LANE_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);
const PLAIN_SEGMENT = /^\/([0-9A-Za-z]{1,64})$/;

/**
 * A fast lane in front of an express app for its hottest routes (memo-service: list, add,
 * edit, delete). express spends more per
 * request (prototype swaps, the router's walk, its helpers) than a memo read costs in all
 * (docs/decisions.md has the figures). The lane only dispatches: for a route in `routes` it
 * runs the middleware `createApp` put in front (the same instances: request id, log, metric,
 * helmet, same-origin check), then the route's own handlers (the same ones express has), and
 * on an error the same error handler. Handlers answer with node's own methods (`sendJson`),
 * so they cannot tell who called them. Everything else (other methods and paths, HEAD,
 * `//` paths) goes to `app`; a test sends the fuzz suite's requests both ways and compares.
 */
export function withFastLane(
  app: Express,
  routes: readonly LaneRoute[],
  onError: ErrorRequestHandler,
): RequestListener {
  const front = FRONT.get(app) ?? [];
  // Each route's whole chain (the front middleware, then its handlers), made once.
  const lanes = routes.map((route) => ({ route, chain: [...front, ...route.handlers], matched: { path: route.path } }));
  type Lane = (typeof lanes)[number];
  const table = new Map(lanes.map((lane) => [`${lane.route.method} ${lane.route.path}`, lane]));
  const withParam = new Map<string, { lane: Lane; name: string }>(
    lanes.flatMap((lane) => {
      const name = /^\/:(\w+)$/.exec(lane.route.path)?.[1];
      return name ? [[lane.route.method, { lane, name }] as const] : [];
    }),
  );
  return (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? '';
    if (!LANE_METHODS.has(method)) return void app(req, res);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    let lane = table.get(`${method} ${path}`);
    let params: Record<string, string> = {};
    if (!lane) {
      const param = withParam.get(method);
      const segment = PLAIN_SEGMENT.exec(path)?.[1];
      if (param && segment !== undefined) {
        lane = param.lane;
        params = { [param.name]: segment };
      }
    }
    if (!lane) return void app(req, res);
    // What express's router would have set for these handlers: the query (its default
    // "simple" parser is node's querystring), the path's parameter, and the matched route for
    // logs and metrics.
    const request = Object.assign(req, {
      query: parseQuery(q < 0 ? '' : url.slice(q + 1)),
      params,
      baseUrl: '',
      route: lane.matched,
    }) as unknown as Request;
    run(lane.chain, request, res as Parameters<RequestHandler>[1], onError);
  };
}

/** Calls handlers in order as express's router does: `next(err)`, a throw or a rejection stop at `onError`. */
function run(
  chain: readonly RequestHandler[],
  req: Request,
  res: Parameters<RequestHandler>[1],
  onError: ErrorRequestHandler,
): void {
  let index = 0;
  let failed = false;
  const fail = (err: unknown): void => {
    if (failed) return;
    failed = true;
    onError(err, req, res, () => {
      if (!res.headersSent) res.destroy();
    });
  };
  const next = (err?: unknown): void => {
    if (err !== undefined && err !== null && err !== 'route' && err !== 'router') return fail(err);
    const handler = chain[index++];
    if (!handler) return; // every lane route answers in its last handler
    try {
      const result: unknown = handler(req, res, next);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
  next();
}
