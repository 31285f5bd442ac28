import { redisUrl } from '@memo/testing/env';
import { useStore } from './connect.js';
import { storeSuite } from './store.suite.js';
import { tagsSuite } from './tags.suite.js';
import { writersSuite } from './writers.suite.js';
import { firstPageSuite } from './first-page.suite.js';
import { trashSuite } from './trash.suite.js';
import { historySuite } from './history.suite.js';
import { archiveSuite } from './archive.suite.js';

useStore(() => ({ REDIS_URL: new URL(redisUrl()) }));
storeSuite();
tagsSuite();
writersSuite();
firstPageSuite();
trashSuite();
historySuite();
archiveSuite();
