/**
 * `npm run migrate`: moves every user's memos into the current layout ahead of their first
 * request (which would otherwise do it for that user). One bounded step at a time, so the
 * service keeps answering meanwhile; it can be stopped anywhere (Ctrl-C, a killed pod) and run
 * again: users already in the current layout cost one command each, a user left half way is
 * resumed where it stopped. Reads REDIS_URL, REDIS_PASSWORD and REDIS_CLUSTER like the service.
 */
import { Cluster, type Redis } from 'ioredis';
import {
  ConfigError,
  createLogger,
  createRedis,
  loadConfig,
  redisSpec,
  waitReady,
  type RedisClient,
} from '@memo/common';
import { MemoStore } from '@memo/store';

/** The users whose memos a Redis node holds: every `memo:<id>` list. */
async function* usersOn(node: Redis): AsyncGenerator<string> {
  let cursor = '0';
  do {
    const [next, keys] = (await node.call('SCAN', cursor, 'MATCH', 'memo:*', 'TYPE', 'list', 'COUNT', '500')) as [
      string,
      string[],
    ];
    cursor = next;
    for (const key of keys) yield key.slice('memo:'.length);
  } while (cursor !== '0');
}

export interface MigrationReport {
  users: number;
  moved: number;
  steps: number;
}

/** Migrates every user on `redis` (each master of a Cluster); `progress` hears each user moved. */
export async function migrateAll(
  redis: RedisClient,
  progress: (userId: string, steps: number) => void = () => undefined,
): Promise<MigrationReport> {
  // Quotas play no part in moving what is already stored.
  const store = new MemoStore(redis, { maxCount: 1, maxBytes: 1 });
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const report: MigrationReport = { users: 0, moved: 0, steps: 0 };
  for (const node of nodes) {
    for await (const userId of usersOn(node)) {
      report.users += 1;
      const steps = await store.migrate(userId);
      if (steps > 0) {
        report.moved += 1;
        report.steps += steps;
        progress(userId, steps);
      }
    }
  }
  return report;
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(redisSpec);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`migrate: configuration error: ${err.message}\n`);
    process.exit(78);
  }
  const redis = createRedis(config, createLogger('migrate', 'warn'));
  await waitReady(redis);
  const began = Date.now();
  const report = await migrateAll(redis, (userId, steps) => {
    process.stdout.write(`migrated ${userId} (${String(steps)} steps)\n`);
  });
  process.stdout.write(
    `migrate: ${String(report.users)} users, ${String(report.moved)} moved in ${String(report.steps)} steps, ` +
      `${String(Date.now() - began)} ms\n`,
  );
  await redis.quit();
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await main();
