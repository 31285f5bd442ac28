import { existsSync } from 'node:fs';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startRedis, type LocalRedis } from '@memo/stack';

/**
 * One Redis for this test run: REDIS_URL when given, otherwise a `redis-server` of our own
 * on a free port, so tests never touch anybody else's data. Under CI nothing may be missing.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    chromium: string;
  }
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let redis: LocalRedis | undefined;

export async function setup(project: TestProject): Promise<void> {
  let url = process.env.REDIS_URL;
  if (!url) {
    redis = await startRedis();
    url = redis.url;
  }
  project.provide('redisUrl', url);
  if (!existsSync(CHROMIUM) && process.env.CI) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (CI must run browser tests)`);
  }
  project.provide('chromium', existsSync(CHROMIUM) ? CHROMIUM : '');
}

export async function teardown(): Promise<void> {
  await redis?.stop();
}
