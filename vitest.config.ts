import { defineConfig } from 'vitest/config';

/**
 * Two projects, run one after the other by `npm test`: `main` (every test, two files at a
 * time) and `budgets` (test/budgets: what one user may cost the service, timed with the
 * machine to itself, one file at a time, after the others). A third, `unit` (`npm run
 * test:unit`), runs in seconds what needs no Redis, browser or engine: a subset of `main`.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: [
            'packages/*/test/**/*.test.ts',
            'services/*/test/**/*.test.ts',
            'services/web-service/page/test/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          exclude: ['test/budgets/**', '**/node_modules/**'],
          globalSetup: ['./packages/testing/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'packages/common/test/{config,http,openapi,tags,keys}.test.ts',
            'services/web-service/page/test/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'budgets',
          include: ['test/budgets/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
        },
      },
    ],
  },
});
