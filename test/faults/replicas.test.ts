import type { Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { ROUTES, createGateway, freePort, listenGateway } from '@memo/stack';
import { memoTexts } from '@memo/testing/memos';
import { redisClient, redisUrl, sessionKeys, uniqueUser } from '@memo/testing/env';
import { spawnService, waitFor, type ServiceProcess } from '@memo/testing/process';
import { sessionCookie } from '@memo/testing/services';

/**
 * Two memo-service replicas behind the gateway under a steady stream of writes and reads; one
 * is killed (SIGKILL) and restarted. Every write that got a 2xx must be in Redis afterwards,
 * and reads keep working because the gateway retries them on the other replica.
 */

const keys = sessionKeys();
const running: ServiceProcess[] = [];
let gateway: Server | undefined;
afterAll(() => {
  gateway?.close();
  for (const r of running) r.process.kill('SIGKILL');
});

async function replica(port: number): Promise<ServiceProcess> {
  const started = await spawnService('memo-service', {
    REDIS_URL: redisUrl(),
    SESSION_PUBLIC_KEY: keys.publicPem,
    PORT: String(port),
    MEMO_WRITE_RATE_LIMIT: '0',
  });
  running.push(started);
  return started;
}

describe('a replica killed mid-stream', () => {
  it('loses no acknowledged write, and reads never fail', async () => {
    const ports = [await freePort(), await freePort()] as const;
    const a = await replica(ports[0]);
    await replica(ports[1]);
    gateway = createGateway({
      routes: ROUTES,
      upstreams: { 'memo-service': ports.map((p) => `http://127.0.0.1:${String(p)}`) },
    });
    const base = `http://127.0.0.1:${String(await listenGateway(gateway, 0, '127.0.0.1'))}`;
    const user = uniqueUser();
    const cookie = await sessionCookie(keys, user);

    const acknowledged: string[] = [];
    let writesSent = 0;
    let writesFailed = 0;
    let reads = 0;
    let readsFailed = 0;
    let stop = false;
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const text = `w${String(w)}-${String(i)}`;
        writesSent++;
        const res = await fetch(`${base}/memo`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify({ text }),
        }).catch(() => undefined);
        if (res && res.status >= 200 && res.status < 300) acknowledged.push(text);
        else writesFailed++;
        await res?.arrayBuffer();
      }
    };
    const reader = async (): Promise<void> => {
      while (!stop) {
        const res = await fetch(`${base}/memo?limit=5`, { headers: { cookie } }).catch(() => undefined);
        reads++;
        if (res?.status !== 200) readsFailed++;
        await res?.arrayBuffer();
      }
    };
    const load = Promise.all([writer(1), writer(2), writer(3), reader(), reader()]);

    await new Promise((r) => setTimeout(r, 700));
    a.process.kill('SIGKILL');
    await a.exited;
    await new Promise((r) => setTimeout(r, 700));
    await replica(ports[0]);
    await new Promise((r) => setTimeout(r, 700));
    stop = true;
    await load;

    const redis = redisClient();
    const stored = new Set(await memoTexts(redis, user));
    redis.disconnect();
    const missing = acknowledged.filter((t) => !stored.has(t));
    console.log(
      `replica kill: writes sent ${String(writesSent)}, acknowledged ${String(acknowledged.length)}, found ${String(acknowledged.length - missing.length)}, refused ${String(writesFailed)}; reads ${String(reads)}, failed ${String(readsFailed)}`,
    );
    expect(acknowledged.length).toBeGreaterThan(50);
    expect(missing).toEqual([]);
    expect(readsFailed).toBe(0);
    await waitFor(async () => (await fetch(`${base}/memo`, { headers: { cookie } })).status === 200, 5_000, 'service');
  });
});
