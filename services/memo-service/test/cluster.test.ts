import { createLogger, createRedis, waitReady } from '@memo/common';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { useCluster } from '@memo/testing/cluster';
import { apiLimitsSuite } from './api-limits.suite.js';
import { apiSuite } from './api.suite.js';
import { migrateAll } from '../src/migrate.js';
import { seedLegacy } from '@memo/testing/seed';
import { MemoStore, userKeys } from '@memo/store';
import { uniqueUser } from '@memo/testing/env';

/**
 * The API's tests and the migration on a three-master Redis Cluster (ioredis cluster mode from
 * configuration); the store's own run there in packages/store/test/cluster.test.ts.
 */

const clusterUrl = useCluster();

describe('on a Redis Cluster', () => {
  const env = (): NodeJS.ProcessEnv => ({ REDIS_URL: clusterUrl(), REDIS_CLUSTER: 'true' });
  apiSuite(env);
  apiLimitsSuite(env);

  it('migrates the users of every master', async () => {
    const redis = createRedis(
      { REDIS_URL: new URL(clusterUrl()), REDIS_CLUSTER: true },
      createLogger('test', 'silent'),
    );
    try {
      await waitReady(redis);
      const users = Array.from({ length: 12 }, () => uniqueUser());
      for (const user of users) {
        await seedLegacy(redis as unknown as Redis, user, ['first', 'second', 'third']);
      }
      const moved = new Set<string>();
      const report = await migrateAll(redis, (user) => moved.add(user));
      for (const user of users) expect(moved.has(user), user).toBe(true);
      expect(report.moved).toBeGreaterThanOrEqual(users.length);
      const store = new MemoStore(redis, { maxCount: 10, maxBytes: 1_000 });
      for (const user of users) {
        expect(await redis.hget(userKeys(user).meta, 'v')).toBe('2');
        expect((await store.list(user, 5)).memos.map((m) => m.text)).toEqual(['third', 'second', 'first']);
      }
    } finally {
      redis.disconnect();
    }
  });
});
