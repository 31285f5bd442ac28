import type { RedisClient, RedisWhere } from '@memo/common';
import { createLogger, createRedis, waitReady } from '@memo/common';
import { MemoStore, parseCursor, type Cursor, type Page } from '@memo/store';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

/** The file's Redis (or Cluster), and a store on it with roomy quotas: set by useStore. */
export let redis: RedisClient;
export let store: MemoStore;

/** Seeds with raw commands (the seed helpers take a plain ioredis client or a Cluster alike). */
export const raw = (): Redis => redis as Redis;

/** Connects to the Redis (or Cluster) `where` names before the file's tests, and leaves after. */
export function useStore(where: () => RedisWhere): void {
  beforeAll(async () => {
    redis = createRedis(where(), createLogger('test', 'silent'));
    await waitReady(redis);
    store = new MemoStore(redis, { maxCount: 100_000, maxBytes: 100_000_000 });
  });
  afterAll(() => redis.disconnect());
}

/** The cursor of the next page (undefined on the last). */
export const next = (page: Page): Cursor | undefined =>
  page.nextCursor === null ? undefined : (parseCursor(page.nextCursor) ?? undefined);

/** Every memo's text, newest first, read page by page. */
export async function all(s: MemoStore, user: string, limit = 7): Promise<string[]> {
  const texts: string[] = [];
  let page = await s.list(user, limit);
  texts.push(...page.memos.map((m) => m.text));
  for (let cursor = next(page); cursor; cursor = next(page)) {
    page = await s.list(user, limit, cursor);
    texts.push(...page.memos.map((m) => m.text));
  }
  return texts;
}
