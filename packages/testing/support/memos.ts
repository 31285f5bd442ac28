import { tagKey, type RedisClient } from '@memo/common';
import { MemoStore, userKeys } from '@memo/store';

/** A user's memos as tests look at them from outside memo-service (layout: @memo/store, packages/store/src/layout.ts). */

/** Big enough never to refuse what a test seeds. */
const QUOTAS = { maxCount: 1_000_000, maxBytes: 1e9 };

export const storeOn = (redis: RedisClient): MemoStore => new MemoStore(redis, QUOTAS);

/** Removes every key of the user's memos, pins, tags and idempotency keys (a fresh start for a test user). */
export async function forgetMemos(redis: RedisClient, userId: string): Promise<void> {
  const k = userKeys(userId);
  const tags = await redis.zrange(k.tags, 0, -1);
  for (const key of [
    k.list,
    k.older,
    k.memos,
    k.meta,
    k.pins,
    k.tags,
    k.idempotency,
    k.idempotencyAt,
    k.firstPage,
    k.trash,
    k.trashAt,
    k.history,
    k.archive,
    k.archiveAt,
    k.archiveTags,
    k.shares,
    k.busy,
  ]) {
    await redis.del(key);
  }
  for (const tag of tags) await redis.del(tagKey(userId, tag));
}

/** How many memos the user has. */
export async function memoCount(redis: RedisClient, userId: string): Promise<number> {
  return Number((await redis.hget(userKeys(userId).meta, 'count')) ?? 0);
}

/** Every memo's text, newest first. */
export async function memoTexts(redis: RedisClient, userId: string): Promise<string[]> {
  return (await storeOn(redis).list(userId, 10_000)).memos.map((m) => m.text);
}

export interface Snapshot {
  list: string[];
  memos: Record<string, string>;
  meta: Record<string, string>;
}

/** Everything stored of the user's memos, to compare or to put back. */
export async function snapshotMemos(redis: RedisClient, userId: string): Promise<Snapshot> {
  const k = userKeys(userId);
  return {
    list: await redis.lrange(k.list, 0, -1),
    memos: await redis.hgetall(k.memos),
    meta: await redis.hgetall(k.meta),
  };
}

export async function restoreMemos(redis: RedisClient, userId: string, snapshot: Snapshot): Promise<void> {
  const k = userKeys(userId);
  await forgetMemos(redis, userId);
  if (snapshot.list.length > 0) await redis.rpush(k.list, ...snapshot.list);
  if (Object.keys(snapshot.memos).length > 0) await redis.hset(k.memos, snapshot.memos);
  if (Object.keys(snapshot.meta).length > 0) await redis.hset(k.meta, snapshot.meta);
}
