import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createLogger, createRedis, startService, waitReady, type ServiceHandle } from '@memo/common';
import { freePort, startRedis, type LocalRedis } from '@memo/stack';
import { NAVER, render } from '@memo/testing/helm';
import { sessionKeys, uniqueUser } from '@memo/testing/env';
import { waitFor } from '@memo/testing/process';
import { sessionCookie, startAuth, startMemo, startStub } from '@memo/testing/services';
import { buildWebService } from '../../services/web-service/src/app.js';

/**
 * The chart's alerts on a real Prometheus (Debian's `prometheus`): it scrapes every service's
 * admin port (memo, auth, web) every second with the rendered rules loaded, while requests come
 * in. Redis stops: MemoRedisUnreachable (for memo-service and auth-service) and
 * MemoErrorBudgetBurn fire. Redis comes back: MemoRedisUnreachable
 * resolves; the burn alert stays, as it should (the last hour's 5xx still count; it resolves as
 * they leave its 5-minute window). Read from Prometheus's own /api/v1/alerts.
 */

const PROMETHEUS = process.env.PROMETHEUS ?? '/usr/bin/prometheus';
const work = mkdtempSync(join(tmpdir(), 'memo-prometheus-'));
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(work, { recursive: true, force: true });
});

interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

async function startPrometheus(adminUrls: string[]): Promise<{ url: string; process: ChildProcess }> {
  const rule = render([
    ...NAVER,
    ...['--set', 'prometheusRule.enabled=true', '--set', 'prometheusRule.redisUnreachableFor=3s'],
  ]).find((o) => o.kind === 'PrometheusRule');
  writeFileSync(join(work, 'rules.yml'), stringify(rule?.spec));
  writeFileSync(
    join(work, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: ['rules.yml'],
      scrape_configs: [{ job_name: 'memo', static_configs: [{ targets: adminUrls.map((u) => new URL(u).host) }] }],
    }),
  );
  const port = await freePort();
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(work, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(work, 'data')}`,
      `--web.listen-address=127.0.0.1:${String(port)}`,
    ],
    { stdio: 'ignore' },
  );
  cleanups.push(async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  });
  const url = `http://127.0.0.1:${String(port)}`;
  await waitFor(
    async () => (await fetch(`${url}/-/ready`).catch(() => null))?.status === 200,
    20_000,
    'Prometheus ready',
  );
  return { url, process: child };
}

describe('the alerts on a real Prometheus', () => {
  it('fire when Redis stops and the unreachable one resolves when it is back', async () => {
    // With its append-only file: the session is still there when it comes back.
    const dir = join(work, 'redis');
    let redis: LocalRedis = await startRedis({ dir });
    cleanups.push(() => redis.stop());
    const keys = sessionKeys();
    const memo: ServiceHandle = await startMemo(keys, { REDIS_URL: redis.url });
    const stub = await startStub();
    const auth = await startAuth(keys, stub.url, { REDIS_URL: redis.url });
    const web = await startService(
      buildWebService({ HOST: '127.0.0.1', PORT: '0', ADMIN_PORT: '0', LOG_LEVEL: 'warn' }),
    );
    cleanups.push(() => Promise.all([memo, stub, auth, web].map((s) => s.close())).then(() => undefined));
    const client = createRedis({ REDIS_URL: new URL(redis.url) }, createLogger('test', 'silent'));
    await waitReady(client);
    const cookie = await sessionCookie(keys, uniqueUser(), client);
    client.disconnect();

    // Someone reading their memos, ten times a second, for the whole test.
    const reading = { on: true };
    const statuses: number[] = [];
    const reader = (async () => {
      while (reading.on) {
        const res = await fetch(memo.url, { headers: { cookie } }).catch(() => null);
        statuses.push(res?.status ?? 0);
        await res?.arrayBuffer();
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    cleanups.push(async () => {
      reading.on = false;
      await reader;
    });

    const prometheus = await startPrometheus([memo.adminUrl, auth.adminUrl, web.adminUrl]);
    const alerts = async (): Promise<Alert[]> => {
      const body = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } };
      return body.data.alerts;
    };
    const firing = async (name: string): Promise<boolean> =>
      (await alerts()).some((a) => a.labels.alertname === name && a.state === 'firing');
    const query = async (expr: string): Promise<number> => {
      const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      return Number(body.data.result[0]?.value[1] ?? NaN);
    };

    // Healthy: every service scraped, Redis reachable, the rules evaluated, nothing firing.
    await waitFor(async () => (await query('sum(up)')) === 3, 20_000, 'the three services scraped');
    await waitFor(async () => (await query('sum(redis_up)')) === 2, 20_000, 'redis_up of memo and auth scraped');
    // (The error ratio has no series before the first 5xx; the latency one is there from the start.)
    await waitFor(async () => (await query('memo:http_slow:ratio_rate5m')) >= 0, 20_000, 'the objectives recorded');
    expect((await alerts()).filter((a) => a.state === 'firing')).toEqual([]);

    await redis.stop();
    await waitFor(() => firing('MemoRedisUnreachable'), 30_000, 'MemoRedisUnreachable to fire');
    await waitFor(() => firing('MemoErrorBudgetBurn'), 30_000, 'MemoErrorBudgetBurn to fire');
    expect(statuses).toContain(503);
    await waitFor(
      async () =>
        (await alerts()).filter((a) => a.labels.alertname === 'MemoRedisUnreachable' && a.state === 'firing').length ===
        2,
      30_000,
      'MemoRedisUnreachable for both services that use Redis',
    );
    const unreachable = (await alerts()).filter((a) => a.labels.alertname === 'MemoRedisUnreachable');
    expect(unreachable.map((a) => a.labels.service).sort()).toEqual(['auth-service', 'memo-service']);
    expect(unreachable[0]?.labels.severity).toBe('critical');

    redis = await startRedis({ dir, port: redis.port });
    await waitFor(async () => !(await firing('MemoRedisUnreachable')), 60_000, 'MemoRedisUnreachable to resolve');
    expect(await query('sum(redis_up)')).toBe(2);
    expect(statuses.at(-1)).toBe(200);
    // The hour's budget burn is still true: it ends as the 5xx leave its short window.
    expect(await firing('MemoErrorBudgetBurn')).toBe(true);
  }, 180_000);
});
