import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { Gauge, type Histogram, type Registry } from 'prom-client';

export type { Redis, Cluster };
/** A single Redis or a Redis Cluster: every command we send touches one key, so both serve. */
export type RedisClient = Redis | Cluster;

export interface RedisWhere {
  REDIS_URL: URL;
  /** A Redis user of the service's own (ACL); without it, Redis's `default` user. */
  REDIS_USERNAME?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
  /** Treat REDIS_URL as a seed node of a Redis Cluster. */
  REDIS_CLUSTER?: boolean;
  /** With a rediss:// URL: a PEM file of the CAs that signed Redis's certificate (else the system's). */
  REDIS_CA_FILE?: string | undefined;
}

/** TLS options for a rediss:// URL: verified against REDIS_CA_FILE's CAs when given, else the system's. */
function tlsOptions(where: RedisWhere): ConnectionOptions | undefined {
  if (where.REDIS_URL.protocol !== 'rediss:') return undefined;
  return where.REDIS_CA_FILE ? { ca: readFileSync(where.REDIS_CA_FILE) } : {};
}

/**
 * Times every command, by command name, into `histogram`. Scripts defined with
 * `defineCommand` are timed under the name they were given (`memoAdd`), not as `evalsha`.
 */
function instrument(client: RedisClient, histogram: Histogram<'command'>): void {
  const scripts = new Map<string, string>();
  const sha1 = (lua: string): string => createHash('sha1').update(lua).digest('hex');
  const define = client.defineCommand.bind(client);
  client.defineCommand = (name, definition) => {
    scripts.set(sha1(definition.lua), name);
    define(name, definition);
  };
  const send = client.sendCommand.bind(client) as (command: unknown, stream?: unknown) => unknown;
  (client as { sendCommand: typeof send }).sendCommand = (command, stream) => {
    const cmd = command as { name: string; args: unknown[]; promise: Promise<unknown> };
    const script = cmd.name === 'evalsha' ? String(cmd.args[0]) : cmd.name === 'eval' ? sha1(String(cmd.args[0])) : '';
    const end = histogram.startTimer({ command: scripts.get(script) ?? cmd.name });
    cmd.promise.then(
      () => end(),
      () => end(),
    );
    return send(command, stream);
  };
}

/**
 * A Redis client that fails fast while Redis is away (no offline queue, a command timeout)
 * and reconnects forever, so a request gets a 503 at once and the service recovers by itself.
 */
export function createRedis(
  where: RedisWhere,
  log: Logger,
  opts: { histogram?: Histogram<'command'>; extra?: RedisOptions } = {},
): RedisClient {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    // Commands issued in the same tick (many requests at once) go out in one write.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    // No CLIENT SETINFO on connecting: one round trip less, and a command the services' Redis
    // users are not given (helm/memo/files/redis-users.acl).
    disableClientInfo: true,
    ...(where.REDIS_USERNAME ? { username: where.REDIS_USERNAME } : {}),
    ...(where.REDIS_PASSWORD ? { password: where.REDIS_PASSWORD } : {}),
    ...opts.extra,
  };
  const tls = tlsOptions(where);
  if (tls) options.tls = tls;
  let client: RedisClient;
  if (where.REDIS_CLUSTER) {
    const { hostname, port } = where.REDIS_URL;
    client = new Cluster([{ host: hostname, port: Number(port || 6379) }], {
      enableOfflineQueue: false,
      clusterRetryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
      // Auto-pipelining stays off here: with it, commands to the cluster stalled until their
      // timeout in our cluster tests (ioredis 5.11).
      redisOptions: { ...options, enableAutoPipelining: false },
      // With TLS the nodes are reached by the names the seed gave (ElastiCache and Memorystore
      // answer names their certificates carry), not by addresses looked up again (ioredis's
      // advice for TLS clusters).
      ...(tls
        ? { dnsLookup: (address: string, callback: (err: null, address: string) => void) => callback(null, address) }
        : {}),
      slotsRefreshTimeout: 2000,
    });
  } else {
    client = new Redis(where.REDIS_URL.toString(), options);
  }
  if (opts.histogram) instrument(client, opts.histogram);
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) log.warn({ err: err.message }, 'redis connection error');
    down = true;
  });
  client.on('ready', () => {
    if (down) log.info('redis connection restored');
    down = false;
  });
  return client;
}

/** Waits for the first connection, so a service is ready only once Redis answers. */
export async function waitReady(client: RedisClient, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

/** `field:value` lines of an INFO section, as numbers. */
function infoNumbers(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) out.set(line.slice(0, colon), Number(line.slice(colon + 1)));
  }
  return out;
}

/**
 * `redis_memory_used_bytes` and `redis_memory_max_bytes` (0: no ceiling) for each Redis node,
 * read with INFO memory when scraped: how close Redis is to refusing writes; `redis_keys`, its
 * DBSIZE (on a Cluster, each primary's). And `redis_up`:
 * 1 while this process's connection to Redis is ready, else 0 (the alert MemoRedisUnreachable).
 */
export function redisMemoryMetrics(registry: Registry, redis: RedisClient): void {
  new Gauge({
    name: 'redis_up',
    help: 'Whether this process can reach Redis now (its connection is ready)',
    registers: [registry],
    collect() {
      this.set(redis.status === 'ready' ? 1 : 0);
    },
  });
  let reading: Promise<[string, Map<string, number>][]> | undefined;
  const read = (): Promise<[string, Map<string, number>][]> => {
    reading ??= (async () => {
      const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
      return Promise.all(
        nodes.map(async (node): Promise<[string, Map<string, number>]> => {
          const { host, port } = node.options;
          const [memory, keys] = await Promise.all([node.info('memory'), node.dbsize()]);
          const info = infoNumbers(memory);
          info.set('keys', keys);
          return [`${host ?? ''}:${String(port ?? '')}`, info];
        }),
      );
    })().finally(() => setTimeout(() => (reading = undefined), 1000).unref());
    return reading;
  };
  const gauge = (name: string, help: string, field: string): void => {
    new Gauge({
      name,
      help,
      labelNames: ['node'],
      registers: [registry],
      async collect() {
        this.reset();
        const nodes = await read().catch(() => []);
        for (const [node, info] of nodes) this.set({ node }, info.get(field) ?? 0);
      },
    });
  };
  gauge('redis_memory_used_bytes', 'Memory Redis uses (INFO used_memory)', 'used_memory');
  gauge('redis_memory_max_bytes', 'Redis maxmemory: past it, writes are refused (0: no limit)', 'maxmemory');
  gauge('redis_keys', 'Keys in the Redis node (DBSIZE)', 'keys');
}
