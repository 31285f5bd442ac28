import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export type { Redis };

/**
 * A Redis client that fails fast while Redis is away (no offline queue, a command timeout)
 * and reconnects forever, so a request gets a 503 at once and the service recovers by itself.
 */
export function createRedis(
  where: { REDIS_URL: URL; REDIS_PASSWORD?: string | undefined },
  log: Logger,
  extra: RedisOptions = {},
): Redis {
  const client = new Redis(where.REDIS_URL.toString(), {
    ...(where.REDIS_PASSWORD ? { password: where.REDIS_PASSWORD } : {}),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    lazyConnect: false,
    ...extra,
  });
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
export async function waitReady(client: Redis, timeoutMs = 10_000): Promise<void> {
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
