import { redisUrl } from '../../../test/support/env.js';
import { apiSuite } from './api.suite.js';

apiSuite(() => ({ REDIS_URL: redisUrl() }));
