import { redisUrl } from '@memo/testing/env';
import { apiLimitsSuite } from './api-limits.suite.js';
import { apiSuite } from './api.suite.js';

const env = (): NodeJS.ProcessEnv => ({ REDIS_URL: redisUrl() });
apiSuite(env);
apiLimitsSuite(env);
