import type { Redis } from 'ioredis';
import { LAYOUT_VERSION, encodeEntry, legacyId, ref, textSize, userKeys } from '@memo/store/layout';

/**
 * Writes memos straight into Redis with raw commands, in the current layout or in the two
 * earlier ones: for tests, benchmarks and tools that need a user with many memos quickly, or
 * data exactly as the original app and the previous layout left it. `texts` are oldest first;
 * the ids of the memos are returned in the same order.
 */

const BATCH = 1_000;

/** A layout-1 style id, made from a time and a counter (stable for the same arguments). */
const layout1Id = (at: number, i: number): string =>
  `m${at.toString(36).padStart(9, '0')}${i.toString(16).padStart(12, '0')}`;

/** The current layout: entries in the hash, refs in the order list, the counters in meta. */
export async function seedCurrent(redis: Redis, userId: string, texts: readonly string[]): Promise<string[]> {
  const keys = userKeys(userId);
  await redis.del(keys.list, keys.older, keys.memos, keys.meta);
  const ids: string[] = [];
  const now = Date.now() - texts.length * 1000;
  let bytes = 0;
  for (let start = 0; start < texts.length; start += BATCH) {
    const fields: string[] = [];
    const refs: string[] = [];
    texts.slice(start, start + BATCH).forEach((text, j) => {
      const seq = start + j + 1;
      const at = now + seq * 1000;
      const id = layout1Id(at, seq);
      const size = textSize(text);
      bytes += size;
      ids.push(id);
      fields.push(id, encodeEntry({ seq, size, id, text, createdAt: new Date(at).toISOString(), updatedAt: null }));
      refs.push(ref(seq, id));
    });
    await redis.hset(keys.memos, ...fields);
    await redis.lpush(keys.list, ...refs);
  }
  await redis.hset(
    keys.meta,
    'v',
    LAYOUT_VERSION,
    'seq',
    texts.length,
    'count',
    texts.length,
    'bytes',
    bytes,
    'dead',
    0,
  );
  return ids;
}

/**
 * The earlier layouts in one list, as the original app (plain strings) and layout 1 (JSON
 * entries) pushed them: `shape(i)` picks each memo's. The ids are those the store gives them.
 */
export async function seedLegacy(
  redis: Redis,
  userId: string,
  texts: readonly string[],
  shape: (i: number) => 'plain' | 'json' = (i) => (i % 2 === 0 ? 'plain' : 'json'),
): Promise<string[]> {
  const keys = userKeys(userId);
  await redis.del(keys.list, keys.older, keys.memos, keys.meta);
  const ids: string[] = [];
  const now = Date.now() - texts.length * 1000;
  for (let start = 0; start < texts.length; start += BATCH) {
    const batch: string[] = [];
    texts.slice(start, start + BATCH).forEach((text, j) => {
      const i = start + j;
      if (shape(i) === 'plain') {
        batch.push(text);
        ids.push(legacyId(text));
      } else {
        const at = now + i * 1000;
        const id = layout1Id(at, i);
        batch.push(JSON.stringify({ v: 1, id, text, createdAt: new Date(at).toISOString(), updatedAt: null }));
        ids.push(id);
      }
    });
    await redis.lpush(keys.list, ...batch);
  }
  return ids;
}
