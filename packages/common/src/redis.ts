import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { Histogram } from 'prom-client';

export type { Redis, Cluster };
/** A single Redis or a Redis Cluster: every command we send touches one key, so both serve. */
export type RedisClient = Redis | Cluster;

export interface RedisWhere {
  REDIS_URL: URL;
  REDIS_PASSWORD?: string | undefined;
  /** Treat REDIS_URL as a seed node of a Redis Cluster. */
  REDIS_CLUSTER?: boolean;
}

/** Times every command, by command name, into `histogram`. */
function instrument(client: RedisClient, histogram: Histogram<'command'>): void {
  const send = client.sendCommand.bind(client) as (command: unknown, stream?: unknown) => unknown;
  (client as { sendCommand: typeof send }).sendCommand = (command, stream) => {
    const cmd = command as { name: string; promise: Promise<unknown> };
    const end = histogram.startTimer({ command: cmd.name });
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
    ...(where.REDIS_PASSWORD ? { password: where.REDIS_PASSWORD } : {}),
    ...opts.extra,
  };
  let client: RedisClient;
  if (where.REDIS_CLUSTER) {
    const { hostname, port, protocol } = where.REDIS_URL;
    client = new Cluster([{ host: hostname, port: Number(port || 6379) }], {
      enableOfflineQueue: false,
      clusterRetryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
      // Auto-pipelining stays off here: with it, commands to the cluster stalled until their
      // timeout in our cluster tests (ioredis 5.11).
      redisOptions: { ...options, enableAutoPipelining: false, ...(protocol === 'rediss:' ? { tls: {} } : {}) },
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

const UNAVAILABLE = [
  "Stream isn't writeable",
  'Command timed out',
  'Connection is closed',
  'Reached the max retries per request limit',
  'connect ECONNREFUSED',
  'All sentinels are unreachable',
  'Failed to refresh slots cache',
  'ClusterAllFailedError',
  'CLUSTERDOWN',
];

/** True when an error means "Redis cannot be reached now" rather than "this command failed". */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return UNAVAILABLE.some((m) => err.message.includes(m));
}
