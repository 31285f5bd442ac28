import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createRedis, waitReady, type ServiceHandle } from '@memo/common';
import { startRedis, type LocalRedis } from '@memo/stack';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoStore } from '@memo/store';
import { sessionKeys, uniqueUser } from '@memo/testing/env';
import { waitFor } from '@memo/testing/process';
import { sessionCookie, startMemo } from '@memo/testing/services';

/** Redis going away and coming back, and Redis crashing with acknowledged memos in it. */

const dirs: string[] = [];
const servers: LocalRedis[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'memo-redis-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('a Redis outage', () => {
  it('answers 503 fast while Redis is down, turns unready, and recovers by itself', async () => {
    const dir = dataDir();
    let redis = await startRedis({ dir });
    servers.push(redis);
    const keys = sessionKeys();
    const memo: ServiceHandle = await startMemo(keys, { REDIS_URL: redis.url });
    try {
      const client = createRedis({ REDIS_URL: new URL(redis.url) }, createLogger('test', 'silent'));
      await waitReady(client);
      const user = uniqueUser();
      const cookie = await sessionCookie(keys, user, client);
      client.disconnect();
      const post = (text: string): Promise<Response> =>
        fetch(memo.url, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify({ text }),
        });
      expect((await post('before the outage')).status).toBe(201);

      await redis.stop();
      const began = Date.now();
      for (const res of [await fetch(memo.url, { headers: { cookie } }), await post('during the outage')]) {
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('1');
        expect(await res.json()).toMatchObject({ error: { code: 'unavailable' } });
      }
      const answeredMs = Date.now() - began;
      expect(answeredMs).toBeLessThan(3_000);
      await waitFor(
        async () => (await fetch(`${memo.adminUrl}/readyz`)).status === 503,
        3_000,
        'readiness to turn false',
      );

      redis = await startRedis({ dir, port: redis.port });
      servers.push(redis);
      const back = Date.now();
      const recoveryMs = await waitFor(
        async () => (await fetch(memo.url, { headers: { cookie } })).status === 200,
        10_000,
        'memo-service to recover',
      );
      expect((await fetch(`${memo.adminUrl}/readyz`)).status).toBe(200);
      const page = (await (await fetch(memo.url, { headers: { cookie } })).json()) as { memos: { text: string }[] };
      expect(page.memos.map((m) => m.text)).toEqual(['before the outage']);
      console.log(
        `redis outage: two requests answered 503 in ${String(answeredMs)} ms; recovered ${String(recoveryMs)} ms after Redis returned (${String(Date.now() - back)} ms incl. checks)`,
      );
    } finally {
      await memo.close();
    }
  });
});

describe('persistence', () => {
  it('keeps every acknowledged memo when Redis is killed and restarted from its data folder', async () => {
    const dir = dataDir();
    const redis = await startRedis({ dir });
    servers.push(redis);
    const client = createRedis({ REDIS_URL: new URL(redis.url) }, createLogger('test', 'silent'));
    await waitReady(client);
    const store = new MemoStore(client, { maxCount: 1_000, maxBytes: 1_000_000 });
    const user = uniqueUser();
    const acknowledged: string[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let i = 0; i < 100; i++)
          acknowledged.push((await store.add(user, `w${String(worker)}-${String(i)}`)).text);
      }),
    );
    client.disconnect();
    redis.process.kill('SIGKILL');
    await redis.exited;

    const again = await startRedis({ dir, port: redis.port });
    servers.push(again);
    const reader = createRedis({ REDIS_URL: new URL(again.url) }, createLogger('test', 'silent'));
    await waitReady(reader);
    const page = await new MemoStore(reader, { maxCount: 1_000, maxBytes: 1_000_000 }).list(user, 1_000);
    const stored = page.memos.map((m) => m.text);
    reader.disconnect();
    expect(stored).toHaveLength(acknowledged.length);
    expect(new Set(stored)).toEqual(new Set(acknowledged));
    console.log(
      `persistence: ${String(acknowledged.length)} acknowledged, ${String(stored.length)} found after SIGKILL and restart`,
    );
  });
});
