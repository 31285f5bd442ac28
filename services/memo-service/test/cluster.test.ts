import { afterAll, beforeAll, describe } from 'vitest';
import { startCluster, type LocalCluster } from '../../../test/support/cluster.js';
import { apiSuite } from './api.suite.js';
import { storeSuite } from './store.suite.js';

/** The same memo tests on a three-master Redis Cluster (ioredis cluster mode from configuration). */

let cluster: LocalCluster;
beforeAll(async () => {
  cluster = await startCluster();
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});

describe('on a Redis Cluster', () => {
  storeSuite(() => ({ REDIS_URL: new URL(cluster.url), REDIS_CLUSTER: true }));
  apiSuite(() => ({ REDIS_URL: cluster.url, REDIS_CLUSTER: 'true' }));
});
