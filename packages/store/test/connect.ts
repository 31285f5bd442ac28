import type { RedisClient, RedisWhere } from '@memo/common';
import { createLogger, createRedis, waitReady } from '@memo/common';
import { MemoStore, parseCursor, type Cursor, type Page } from '@memo/store';

/** A client of the Redis (or Cluster) `where` names, and a store on it with roomy quotas. */
export async function connect(where: () => RedisWhere): Promise<{ redis: RedisClient; store: MemoStore }> {
  const redis = createRedis(where(), createLogger('test', 'silent'));
  await waitReady(redis);
  return { redis, store: new MemoStore(redis, { maxCount: 100_000, maxBytes: 100_000_000 }) };
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
