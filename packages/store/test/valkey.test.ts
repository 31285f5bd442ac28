import { describe } from 'vitest';
import { useValkey, valkeyInstalled } from '@memo/testing/valkey';
import { useStore } from './connect.js';
import { storeSuite } from './store.suite.js';
import { tagsSuite } from './tags.suite.js';
import { writersSuite } from './writers.suite.js';
import { firstPageSuite } from './first-page.suite.js';
import { trashSuite } from './trash.suite.js';
import { historySuite } from './history.suite.js';
import { archiveSuite } from './archive.suite.js';
import { sharesSuite } from './shares.suite.js';

/** The store's tests on Valkey 8, as on Redis (store.test.ts). */
describe.skipIf(!valkeyInstalled())('on Valkey', () => {
  const valkeyUrl = useValkey();
  useStore(() => ({ REDIS_URL: new URL(valkeyUrl()) }));
  storeSuite();
  tagsSuite();
  writersSuite();
  firstPageSuite();
  trashSuite();
  historySuite();
  archiveSuite();
  sharesSuite();
});
