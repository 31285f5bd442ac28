import { describe } from 'vitest';
import { useValkey, valkeyInstalled } from '@memo/testing/valkey';
import { apiLimitsSuite } from './api-limits.suite.js';
import { apiSuite } from './api.suite.js';

/** memo-service's API on Valkey 8, as on Redis (api.test.ts). */
describe.skipIf(!valkeyInstalled())('on Valkey', () => {
  const valkeyUrl = useValkey();
  const env = (): NodeJS.ProcessEnv => ({ REDIS_URL: valkeyUrl() });
  apiSuite(env);
  apiLimitsSuite(env);
});
