import { createServer, type RequestListener, type Server } from 'node:http';
import { createHttpTerminator } from 'http-terminator';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ConfigError } from './config.js';
import type { Metrics } from './metrics.js';

export type ReadyCheck = () => Promise<boolean> | boolean;

export interface ServiceHandle {
  readonly url: string;
  readonly adminUrl: string;
  /** Stops taking requests, lets the ones in flight finish, then runs the close hooks. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly adminPort: number;
  readonly app: RequestListener;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** Extra readiness: Redis reachable, for the services that need it. */
  readonly ready?: ReadyCheck;
  /** Run after the last request finished: close Redis and the like. */
  readonly onClose?: () => Promise<void>;
  readonly drainTimeoutMs?: number;
}

function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const { port: actual } = server.address() as AddressInfo;
      const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      resolve(`http://${shown.includes(':') ? `[${shown}]` : shown}:${actual}`);
    });
  });
}

function adminApp(opts: ServiceOptions, isShuttingDown: () => boolean): RequestListener {
  return (req, res) => {
    const send = (status: number, body: string, type = 'application/json'): void => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return send(200, '{"status":"ok"}');
    if (path === '/readyz') {
      if (isShuttingDown()) return send(503, '{"status":"shutting down"}');
      Promise.resolve(opts.ready ? opts.ready() : true)
        .then((ok) => send(ok ? 200 : 503, ok ? '{"status":"ready"}' : '{"status":"not ready"}'))
        .catch(() => send(503, '{"status":"not ready"}'));
      return;
    }
    if (path === '/metrics') {
      opts.metrics.registry
        .metrics()
        .then((text) => send(200, text, opts.metrics.registry.contentType))
        .catch(() => send(500, 'metrics failed', 'text/plain'));
      return;
    }
    send(404, '{"error":{"code":"not_found","message":"No such resource"}}');
  };
}

/**
 * Starts a service the one way all of ours start: the app on PORT, health and metrics on
 * ADMIN_PORT, one line per address on stdout, and a graceful stop on SIGTERM or SIGINT.
 */
export async function startService(opts: ServiceOptions): Promise<ServiceHandle> {
  let shuttingDown = false;
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 30_000 }, opts.app);
  server.headersTimeout = 66_000;
  // Draining is http-terminator's: idle keep-alive connections close at once, answers in
  // flight go out with Connection: close, and whatever is left after the timeout is cut.
  const terminator = createHttpTerminator({ server, gracefulTerminationTimeout: opts.drainTimeoutMs ?? 10_000 });
  const admin = createServer(adminApp(opts, () => shuttingDown));
  const url = await listen(server, opts.port, opts.host);
  const adminUrl = await listen(admin, opts.adminPort, opts.host);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Readiness turns false at once; the admin port answers until the very end.
      shuttingDown = true;
      await terminator.terminate();
      await opts.onClose?.();
      await new Promise<void>((resolve) => admin.close(() => resolve()));
      admin.closeAllConnections();
    })();
    return closing;
  };
  return { url, adminUrl, close };
}

/**
 * The entry point of a service process: build, start, print where it listens, and stop
 * cleanly on a signal. A configuration error stops it with one line naming the variable.
 */
export async function main(name: string, build: () => Promise<ServiceOptions>): Promise<void> {
  let opts: ServiceOptions;
  try {
    opts = await build();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: configuration error: ${err.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`${name}: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const handle = await startService(opts);
  process.stdout.write(`${name} admin (health, metrics) on ${handle.adminUrl}\n`);
  process.stdout.write(`${name} listening on ${handle.url}\n`);
  const stop = (signal: string): void => {
    opts.log.info({ signal }, 'shutting down');
    handle.close().then(
      () => process.exit(0),
      (err: unknown) => {
        opts.log.error({ err: String(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
