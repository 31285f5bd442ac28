import { redisUrl } from '../../../test/support/env.js';
import { storeSuite } from './store.suite.js';

storeSuite(() => ({ REDIS_URL: new URL(redisUrl()) }));
