import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGateway, listenGateway, type Upstreams } from './gateway.js';
import { localSessionKey } from './keys.js';
import { freePort, reservePort } from './ports.js';
import { startRedis, type LocalRedis } from './redis-server.js';
import { SERVICE_USERS, newServicePasswords, serviceUserArgs, type ServiceUser } from './redis-users.js';
import { basePathOf, routesUnder, type ServiceName } from './routes.js';

/**
 * The whole app on one machine: Redis (given or our own), the Naver stand-in when no Naver
 * client id is configured, the three services as separate processes, and the gateway in
 * front of them that routes exactly as the ingress does.
 */

export interface StackOptions {
  env: NodeJS.ProcessEnv;
  port: number;
  host: string;
  dataDir: string;
  /** Receives every line the stack prints (its own and its processes'). */
  print: (line: string) => void;
}

export interface RunningStack {
  readonly url: string;
  readonly processes: ReadonlyMap<string, { pid: number; url: string }>;
  stop(): Promise<void>;
  /** Resolves when a process of the stack exits on its own. */
  readonly failed: Promise<string>;
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const entry = (service: ServiceName): string => resolvePath(repoRoot, 'services', service, 'dist', 'server.js');

/**
 * A young generation of 4 MB instead of V8's 16 MB: a service idles at ~79 MB instead of ~95
 * (the bound is 90) and stays near 135 MB under load instead of 165 MB. It costs POST /memo
 * ~5% of its throughput in garbage collection (8 MB gave that back but idled at 95 MB:
 * docs/benchmarks.md). The images set the same.
 */
export const SERVICE_NODE_OPTIONS = '--max-semi-space-size=4';

function nodeOptions(env: NodeJS.ProcessEnv): string {
  const given = env.NODE_OPTIONS ?? '';
  return given.includes('--max-semi-space-size') ? given : `${given} ${SERVICE_NODE_OPTIONS}`.trim();
}

const LISTENING = /^(\S+) listening on (http:\/\/\S+)$/;

interface Child {
  name: string;
  process: ChildProcess;
  url: string;
  exited: Promise<void>;
}

function startChild(name: ServiceName, env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<Child> {
  const child = spawn(process.execPath, [entry(name)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let settled = false;
    const onLine = (line: string): void => {
      print(line);
      const m = LISTENING.exec(line);
      if (m && m[1] === name && !settled) {
        settled = true;
        resolve({ name, process: child, url: m[2] ?? '', exited });
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', print);
    child.once('error', (err) => {
      if (!settled) reject(err);
    });
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`${name} exited with code ${String(code)} before it was ready`));
    });
  });
}

async function stopChild(child: Child, timeoutMs = 15_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), timeoutMs);
  await child.exited;
  clearTimeout(timer);
}

export async function startStack(opts: StackOptions): Promise<RunningStack> {
  const { env, print } = opts;
  const children: Child[] = [];
  let redis: LocalRedis | undefined;
  let gateway: Server | undefined;

  const stop = async (): Promise<void> => {
    if (gateway) await new Promise<void>((r) => gateway?.close(() => r()));
    gateway?.closeAllConnections();
    await Promise.all(children.map((c) => stopChild(c)));
    await redis?.stop();
  };

  try {
    // Everything starts at once: every address is chosen up front, and a service that comes
    // up before Redis waits for it (answering 503 until it is there, as in a cluster).
    const redisDir = resolvePath(opts.dataDir, 'redis');
    let redisUrl = env.REDIS_URL;
    let redisStarting: Promise<LocalRedis> | undefined;
    // Our own Redis has the chart's users, and auth and memo connect as theirs (new passwords
    // each start); its default user stays open for redis-cli, npm run migrate and the bench.
    const asUser: Partial<Record<ServiceUser, NodeJS.ProcessEnv>> = {};
    if (opts.port !== 0) reservePort(opts.port);
    if (!redisUrl) {
      const redisPort = await freePort();
      redisUrl = `redis://127.0.0.1:${String(redisPort)}`;
      const passwords = newServicePasswords();
      for (const user of SERVICE_USERS) asUser[user] = { REDIS_USERNAME: user, REDIS_PASSWORD: passwords[user] };
      redisStarting = startRedis({ dir: redisDir, port: redisPort, extraArgs: serviceUserArgs(passwords) }).then(
        (r) => {
          redis = r;
          print(`redis listening on ${r.url} (data in ${redisDir})`);
          return r;
        },
      );
    }
    const port = opts.port === 0 ? await freePort(opts.host) : opts.port;
    // PUBLIC_URL may carry a path (`http://localhost:8080/memos/`): everything is served under it.
    const given = new URL(env.PUBLIC_URL ?? `http://localhost:${port}/`);
    if (!given.pathname.endsWith('/')) given.pathname += '/';
    const publicUrl = given.toString();
    const privateKey = env.SESSION_PRIVATE_KEY ?? localSessionKey(opts.dataDir);

    const base = {
      // One proxy in front, the gateway: it appends the client's address to X-Forwarded-For.
      TRUST_PROXY: '1',
      ...env,
      HOST: '127.0.0.1',
      REDIS_URL: redisUrl,
      PUBLIC_URL: publicUrl,
      NODE_OPTIONS: nodeOptions(env),
    };
    const withPorts = async (extra: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> => ({
      ...base,
      ...extra,
      PORT: String(await freePort()),
      ADMIN_PORT: String(await freePort()),
    });
    const local = (e: NodeJS.ProcessEnv): string => `http://127.0.0.1:${e.PORT ?? ''}`;

    const upstreams: Upstreams = {};
    let naver: NodeJS.ProcessEnv = {};
    const starting: Promise<Child>[] = [];
    if (!env.NAVER_CLIENT_ID) {
      const stubEnv = await withPorts({
        NAVER_STUB_CLIENT_ID: 'memo-local',
        NAVER_STUB_CLIENT_SECRET: 'memo-local-secret',
        // "연동 해제" calls back through the front door, as Naver would.
        NAVER_STUB_UNLINK_URL: new URL('auth/naver/unlink', publicUrl).toString(),
      });
      starting.push(startChild('naver-stub', stubEnv, print));
      naver = {
        NAVER_CLIENT_ID: 'memo-local',
        NAVER_CLIENT_SECRET: 'memo-local-secret',
        NAVER_AUTHORIZE_URL: new URL('_naver/oauth2.0/authorize', publicUrl).toString(),
        NAVER_TOKEN_URL: `${local(stubEnv)}/oauth2.0/token`,
        NAVER_PROFILE_URL: `${local(stubEnv)}/v1/nid/me`,
        NAVER_REVOKE_URL: `${local(stubEnv)}/oauth2.0/revoke`,
      };
    }
    // memo-service verifies sessions with the keys auth-service publishes, as in a cluster.
    const authEnv = await withPorts({ ...naver, ...asUser['auth-service'], SESSION_PRIVATE_KEY: privateKey });
    starting.push(
      startChild('auth-service', authEnv, print),
      startChild(
        'memo-service',
        await withPorts({ ...asUser['memo-service'], SESSION_JWKS_URL: `${local(authEnv)}/jwks.json` }),
        print,
      ),
      startChild('web-service', await withPorts({}), print),
    );
    // Wait for all, keeping what did start (Redis keeps itself) so that a failure stops it again.
    const [settled, redisSettled] = await Promise.all([
      Promise.allSettled(starting),
      Promise.allSettled(redisStarting ? [redisStarting] : []),
    ]);
    for (const result of settled) if (result.status === 'fulfilled') children.push(result.value);
    const failure = [...settled, ...redisSettled].find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;
    for (const child of children) upstreams[child.name as ServiceName] = [child.url];

    // Everything is served under PUBLIC_URL's path (`/` unless it has one); outside it, 404.
    gateway = createGateway({
      routes: routesUnder(basePathOf(publicUrl), naver.NAVER_CLIENT_ID !== undefined),
      upstreams,
    });
    await listenGateway(gateway, port, opts.host);
    print(`gateway listening on http://${opts.host}:${port}`);

    const exits = children.map((c) => c.exited.then(() => c.name));
    if (redis) exits.push(redis.exited.then(() => 'redis'));
    const failed = Promise.race(exits);
    const processes = new Map(children.map((c) => [c.name, { pid: c.process.pid ?? 0, url: c.url }]));
    if (redis) processes.set('redis', { pid: redis.process.pid ?? 0, url: redis.url });
    return { url: publicUrl, processes, stop, failed };
  } catch (err) {
    await stop();
    throw err;
  }
}
