import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger, createRedis, waitReady, type RedisClient } from '@memo/common';
import { startRedis, type LocalRedis } from '@memo/stack';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoStore, userKeys } from '@memo/store';
import { seedCurrent, seedLegacy } from '@memo/testing/seed';
import { uniqueUser } from '@memo/testing/env';

/**
 * `npm run migrate` on data of every earlier shape, seeded with raw commands: killed half way
 * (SIGKILL, as a node failure would), run again, and again: nothing lost, nothing doubled,
 * order and ids kept.
 */

const MIGRATE = fileURLToPath(new URL('../dist/migrate.js', import.meta.url));

let server: LocalRedis;
let redis: RedisClient;
beforeAll(async () => {
  server = await startRedis();
  redis = createRedis({ REDIS_URL: new URL(server.url) }, createLogger('test', 'silent'));
  await waitReady(redis);
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

interface Seeded {
  user: string;
  /** Oldest first, as seeded. */
  texts: string[];
  ids: string[];
}

function run(): {
  exited: Promise<number | null>;
  output: string[];
  kill: () => void;
  pause: () => void;
  resume: () => void;
} {
  const child = spawn(process.execPath, [MIGRATE], {
    env: { PATH: process.env.PATH, REDIS_URL: server.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
  return {
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    output,
    kill: () => child.kill('SIGKILL'),
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
  };
}

describe('npm run migrate', () => {
  it('can be killed half way and run again, losing nothing', { timeout: 120_000 }, async () => {
    const texts = (user: number, n: number): string[] =>
      Array.from({ length: n }, (_, i) => `user ${String(user)} memo ${String(i)} `.padEnd(150, '·'));
    const seeded: Seeded[] = [];
    const shapes = ['mixed', 'plain', 'json'] as const;
    for (let u = 0; u < 36; u++) {
      const user = uniqueUser();
      const t = texts(u, 3_000);
      const shape = shapes[u % 3];
      const ids = await seedLegacy(redis as Redis, user, t, (i) =>
        shape === 'mixed' ? (i % 3 === 0 ? 'json' : 'plain') : shape === 'plain' ? 'plain' : 'json',
      );
      seeded.push({ user, texts: t, ids });
    }
    // One already in the current layout, one left half way by an earlier run.
    const current = uniqueUser();
    const currentTexts = texts(100, 500);
    seeded.push({ user: current, texts: currentTexts, ids: await seedCurrent(redis as Redis, current, currentTexts) });
    const half = uniqueUser();
    const halfTexts = texts(101, 2_000);
    seeded.push({ user: half, texts: halfTexts, ids: await seedLegacy(redis as Redis, half, halfTexts) });
    const store = new MemoStore(redis, { maxCount: 1_000_000, maxBytes: 1e9 });
    for (let i = 0; i < 5; i++) await store.moveStep(half);
    // Not a user's list: left alone.
    await redis.set('memo:not-a-list', 'x');

    /** Users in the current layout, and users a run has left half way (not counting `half`). */
    const state = async (): Promise<{ done: number; moving: number }> => {
      let done = 0;
      let moving = 0;
      for (const { user } of seeded) {
        const [v, m] = await redis.hmget(userKeys(user).meta, 'v', 'moving');
        if (m === '1') moving += user === half ? 0 : 1;
        else if (v === '2') done += 1;
      }
      return { done, moving };
    };

    const first = run();
    let killedAt: { done: number; moving: number } | undefined;
    for (;;) {
      const seen = await state();
      if (seen.done >= 4 && seen.moving >= 1) {
        // Frozen first, so the move seen half way cannot finish between looking and killing:
        // once what it had sent has been answered, the state is looked at again.
        first.pause();
        await new Promise((r) => setTimeout(r, 50));
        const now = await state();
        if (now.done >= 4 && now.moving >= 1) {
          first.kill();
          killedAt = now;
          break;
        }
        first.resume();
      }
      if ((await Promise.race([first.exited, new Promise((r) => setTimeout(() => r('running'), 5))])) !== 'running') {
        break;
      }
    }
    await first.exited;
    expect(killedAt, `the first run ended before it could be killed: ${first.output.join('')}`).toBeDefined();
    const after = await state();
    expect(after.done).toBeLessThan(seeded.length);
    expect(after.moving).toBeGreaterThanOrEqual(1);

    const second = run();
    expect(await second.exited).toBe(0);
    expect(second.output.join('')).toMatch(
      new RegExp(`^migrate: ${String(seeded.length)} users, \\d+ moved in \\d+ steps, \\d+ ms$`, 'm'),
    );
    expect(await state()).toEqual({ done: seeded.length, moving: 0 });
    expect(await redis.hget(userKeys(half).meta, 'moving')).toBeNull();

    for (const { user, texts: t, ids } of seeded) {
      const keys = userKeys(user);
      const page = await store.list(user, 5_000);
      expect(page.memos.map((m) => m.text)).toEqual([...t].reverse());
      expect(page.memos.map((m) => m.id)).toEqual([...ids].reverse());
      expect(page.usage.memos.used).toBe(t.length);
      expect(page.usage.bytes.used).toBe(t.reduce((n, x) => n + Buffer.byteLength(x), 0));
      expect(await redis.exists(keys.older)).toBe(0);
      expect(await redis.hlen(keys.memos)).toBe(t.length);
    }
    expect(await redis.get('memo:not-a-list')).toBe('x');

    const third = run();
    expect(await third.exited).toBe(0);
    expect(third.output.join('')).toMatch(
      new RegExp(`^migrate: ${String(seeded.length)} users, 0 moved in 0 steps`, 'm'),
    );
    console.log(
      `migrate: killed with ${String(killedAt?.done)} users done and ${String(killedAt?.moving)} half way; ` +
        `the second run: ${/^migrate: .*$/m.exec(second.output.join(''))?.[0] ?? ''}`,
    );
  });
});
