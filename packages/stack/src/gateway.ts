import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve, type Route, type ServiceName } from './routes.js';

/**
 * The local stand-in for the ingress: routes by the shared table, strips prefixes, sets the
 * forwarding headers and a request id, buffers bodies (as nginx does, with its 1 MiB default
 * limit), and retries an idempotent request on the next replica when one cannot be reached.
 * The upstream is always one of the configured replicas: the request's path only ever
 * becomes the path of the upstream request, never part of its address.
 */

export type Upstreams = Partial<Record<ServiceName, readonly string[]>>;

export interface GatewayOptions {
  routes: readonly Route[];
  upstreams: Upstreams;
  maxBodyBytes?: number;
  timeoutMs?: number;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify({ error: { code, message } }));
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        resolveBody(null);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolveBody(size > max ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A replica's address, parsed once: requests go to exactly this host and port. */
interface Upstream {
  hostname: string;
  port: number;
}

function upstreamOf(url: string): Upstream {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:') throw new Error(`upstream ${url}: only http is supported`);
  return { hostname: parsed.hostname, port: Number(parsed.port || 80) };
}

/**
 * A request target the gateway forwards: an origin-form path (`/…`). `//host/…` is refused
 * (a URL library would read it as another host), and so are absolute URLs and `*`.
 */
const FORWARDABLE = /^\/(?!\/)/;

export function createGateway(opts: GatewayOptions): Server {
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const replicasOf = new Map(
    Object.entries(opts.upstreams).map(([name, urls]) => [name as ServiceName, urls.map(upstreamOf)]),
  );
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const next = new Map<ServiceName, number>();

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    upstream: Upstream,
    path: string,
    body: Buffer,
    requestId: string,
  ): Promise<'done' | 'refused' | 'reset'> =>
    new Promise((done) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      }
      const client = req.socket.remoteAddress ?? '';
      const prior = req.headers['x-forwarded-for'];
      headers['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client;
      headers['x-forwarded-proto'] = 'http';
      headers['x-forwarded-host'] = req.headers.host ?? '';
      headers['x-real-ip'] = client;
      headers['x-request-id'] = requestId;
      headers['content-length'] = String(body.length);
      const outgoing = request(
        { hostname: upstream.hostname, port: upstream.port, path, method: req.method, headers, timeout: timeoutMs },
        (up) => {
          const out: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(up.headers)) {
            if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
          }
          res.writeHead(up.statusCode ?? 502, out);
          up.pipe(res);
          up.on('end', () => done('done'));
          up.on('error', () => {
            res.destroy();
            done('done');
          });
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error('upstream timeout')));
      outgoing.on('error', (err: NodeJS.ErrnoException) => {
        // Nothing was received: the replica is gone or never answered.
        if (!res.headersSent && err.code === 'ECONNREFUSED') done('refused');
        else if (!res.headersSent && err.code === 'ECONNRESET') done('reset');
        else {
          sendError(res, 504, 'gateway_timeout', 'The service did not answer in time');
          done('done');
        }
      });
      outgoing.end(body);
    });

  return createServer((req, res) => {
    void (async () => {
      const target = req.url ?? '';
      if (!FORWARDABLE.test(target)) {
        sendError(res, 400, 'bad_request', 'The request path must start with a single /');
        return;
      }
      const resolved = resolve(target, opts.routes);
      if (resolved && 'redirect' in resolved) {
        res.writeHead(301, { Location: resolved.redirect, 'Content-Length': '0' });
        res.end();
        return;
      }
      const replicas = resolved ? replicasOf.get(resolved.service) : undefined;
      if (!resolved || !replicas || replicas.length === 0) {
        sendError(res, 404, 'not_found', 'No such resource');
        return;
      }
      const body = await readBody(req, maxBody);
      if (body === null) {
        sendError(res, 413, 'payload_too_large', 'The request body is too large');
        return;
      }
      const incomingId = req.headers['x-request-id'];
      const requestId = typeof incomingId === 'string' && incomingId ? incomingId : randomUUID();
      const start = next.get(resolved.service) ?? 0;
      next.set(resolved.service, (start + 1) % replicas.length);
      // A refused connection never reached the service: any request may go to the next
      // replica. A reset one may have been processed: only idempotent requests are retried.
      for (let i = 0; i < replicas.length; i++) {
        const upstream = replicas[(start + i) % replicas.length];
        if (!upstream) break;
        const outcome = await forward(req, res, upstream, resolved.path, body, requestId);
        if (outcome === 'done') return;
        if (outcome === 'reset' && !IDEMPOTENT.has(req.method ?? '')) break;
      }
      sendError(res, 502, 'bad_gateway', 'The service is not reachable right now');
    })().catch(() => sendError(res, 502, 'bad_gateway', 'The service is not reachable right now'));
  });
}

export function listenGateway(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen((server.address() as AddressInfo).port));
  });
}
