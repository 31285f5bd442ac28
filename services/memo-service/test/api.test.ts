import { redisUrl } from '@memo/testing/env';
import { apiSuite } from './api.suite.js';

apiSuite(() => ({ REDIS_URL: redisUrl() }));
