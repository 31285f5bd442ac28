import { redisUrl } from '@memo/testing/env';
import { storeSuite } from './store.suite.js';

storeSuite(() => ({ REDIS_URL: new URL(redisUrl()) }));
