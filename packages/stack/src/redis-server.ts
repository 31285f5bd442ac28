import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort } from './ports.js';

/**
 * A `redis-server` of our own on a free loopback port, with append-only persistence in `dir`
 * (or nothing on disk without one): what `npm start` uses when no REDIS_URL is given, and what
 * each test run gets.
 */
export interface LocalRedis {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Resolves when the server has exited, for whatever reason. */
  readonly exited: Promise<void>;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      // A password-protected server answers NOAUTH: it is up all the same.
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startRedis(
  opts: {
    dir?: string;
    port?: number;
    binary?: string;
    password?: string;
    /** How often the append-only file is synced: always (no acknowledged write lost) or everysec. */
    fsync?: 'always' | 'everysec';
    extraArgs?: string[];
  } = {},
): Promise<LocalRedis> {
  const port = opts.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--protected-mode', 'yes'];
  // As the chart runs it: a tag's memo set stays a compact listpack (docs/data.md#tags).
  args.push('--zset-max-listpack-entries', '1024');
  if (opts.password) args.push('--requirepass', opts.password);
  if (opts.extraArgs) args.push(...opts.extraArgs);
  if (opts.dir) {
    mkdirSync(opts.dir, { recursive: true });
    args.push('--dir', opts.dir, '--appendonly', 'yes', '--appendfsync', opts.fsync ?? 'always');
  } else {
    args.push('--appendonly', 'no');
  }
  const child = spawn(opts.binary ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'ENOENT'
            ? 'redis-server not found: install it (apt-get install redis-server) or set REDIS_URL'
            : `cannot start redis-server: ${err.message}`,
        ),
      ),
    ),
  );
  const deadline = Date.now() + 10_000;
  const wait = async (): Promise<void> => {
    while (!(await ping(port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${output.trim()}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${port}: ${output.trim()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await Promise.race([wait(), spawnError]);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: child,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
