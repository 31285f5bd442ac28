import { redisUrl } from '@memo/testing/env';
import { storeSuite } from './store.suite.js';
import { tagsSuite } from './tags.suite.js';
import { writersSuite } from './writers.suite.js';

const where = (): { REDIS_URL: URL } => ({ REDIS_URL: new URL(redisUrl()) });
storeSuite(where);
tagsSuite(where);
writersSuite(where);
