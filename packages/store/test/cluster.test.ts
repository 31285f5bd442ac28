import { describe } from 'vitest';
import { useCluster } from '@memo/testing/cluster';
import { useStore } from './connect.js';
import { storeSuite } from './store.suite.js';
import { tagsSuite } from './tags.suite.js';
import { writersSuite } from './writers.suite.js';
import { firstPageSuite } from './first-page.suite.js';
import { trashSuite } from './trash.suite.js';
import { historySuite } from './history.suite.js';
import { archiveSuite } from './archive.suite.js';
import { sharesSuite } from './shares.suite.js';

/** The store's tests on a three-master Redis Cluster (every user's keys in one hash slot). */
const clusterUrl = useCluster();

describe('on a Redis Cluster', () => {
  useStore(() => ({ REDIS_URL: new URL(clusterUrl()), REDIS_CLUSTER: true }));
  storeSuite();
  tagsSuite();
  writersSuite();
  firstPageSuite();
  trashSuite();
  historySuite();
  archiveSuite();
  sharesSuite();
});
