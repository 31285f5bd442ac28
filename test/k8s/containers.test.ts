import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wait, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@memo/stack';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { startRedis } from '@memo/stack';
import {
  ARTIFACTS,
  PodContainer,
  TEST_TAG,
  buildImages,
  hasDocker,
  processOf,
  quantityBytes,
  stateOf,
  terminate,
} from '@memo/testing/docker';
import { sessionKeys, uniqueUser } from '@memo/testing/env';
import { residentMb } from '@memo/testing/process';
import { sessionCookie } from '@memo/testing/services';
import { describeLoad, fullExport, heavyLoad } from '../budgets/support.js';
import {
  CHART,
  chartEnv,
  expandedArgs,
  find,
  redisContainer,
  redisUserArgs,
  render,
  runHelmTest,
  secretValue,
  type K8sObject,
} from '@memo/testing/helm';

const RELEASE = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
const CHART_VERSION = /^appVersion: '([^']+)'$/m.exec(
  readFileSync(new URL('../../helm/memo/Chart.yaml', import.meta.url), 'utf8'),
)?.[1];

/**
 * The images themselves, built as skaffold builds them and started exactly as the chart starts
 * them: the environment rendered from the chart (`helm template` of the kind values), a
 * read-only root file system, the pod's user, every capability dropped, no new privileges, the
 * host network. Ready on /readyz, the chart's `helm test` passes, and on SIGTERM each finishes
 * what it is doing and exits 0 within the grace period.
 */

interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext: { runAsUser: number };
  containers: {
    args?: string[];
    securityContext: { readOnlyRootFilesystem: boolean };
    resources?: { limits?: { memory?: string } };
  }[];
}
const podOf = (o: K8sObject): PodSpec => (o.spec as { template: { spec: PodSpec } }).template.spec;

const COMPONENTS = {
  auth: 'memo-auth-service',
  memo: 'memo-memo-service',
  web: 'memo-web-service',
  'naver-stub': 'memo-naver-stub',
} as const;

describe.skipIf(!hasDocker())('the images, run as the chart runs them', () => {
  const objects = render(['-f', `${CHART}/values-kind.yaml`]);
  const started: StartedTestContainer[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'memo-redis-data-'));
  let built: Record<string, number> = {};

  beforeAll(async () => {
    built = await buildImages();
  }, 900_000);
  afterAll(async () => {
    await Promise.all(started.map((c) => c.stop({ remove: true, timeout: 1_000 }).catch(() => undefined)));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('builds every image of skaffold.yaml', () => {
    expect(Object.keys(built).sort()).toEqual(ARTIFACTS.map((a) => a.image).sort());
    process.stdout.write(`images built in ${JSON.stringify(built)} s\n`);
  });

  it('starts Redis and every service as the chart does: ready, uid 65532, no capabilities; helm test passes; SIGTERM drains and exits 0', async () => {
    // Redis as its StatefulSet runs it: the chart's arguments, its users, AOF on a volume.
    const redisPort = await freePort();
    const statefulSet = find(objects, 'StatefulSet', 'memo-redis');
    const rendered = redisContainer(objects);
    chownSync(dataDir, 999, 999);
    const redis = await new PodContainer(rendered.image)
      .asPod(podOf(statefulSet).securityContext.runAsUser)
      .withCommand([...expandedArgs(objects, rendered), '--port', String(redisPort), '--bind', '127.0.0.1'])
      .withBindMounts([{ source: dataDir, target: '/data' }])
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .start();
    started.push(redis);
    expect((await processOf(redis.getId())).uid).toBe(999);

    const ports = new Map<string, { port: number; admin: number }>();
    for (const name of Object.keys(COMPONENTS)) ports.set(name, { port: await freePort(), admin: await freePort() });
    const hosts = new Map<string, string>([['memo-redis:6379', `127.0.0.1:${String(redisPort)}`]]);
    for (const [name, p] of ports) hosts.set(`memo-${name}:8080`, `127.0.0.1:${String(p.port)}`);

    const services = await Promise.all(
      Object.entries(COMPONENTS).map(async ([name, image]) => {
        const deployment = find(objects, 'Deployment', `memo-${name}`);
        const pod = podOf(deployment);
        expect(pod.containers[0]?.securityContext.readOnlyRootFilesystem).toBe(true);
        const p = ports.get(name) ?? { port: 0, admin: 0 };
        const env: Record<string, string> = {
          ...chartEnv(objects, deployment, hosts),
          PORT: String(p.port),
          ADMIN_PORT: String(p.admin),
          HOST: '127.0.0.1',
          // The stand-in's slow scenario, short: the request in flight at SIGTERM below.
          ...(name === 'naver-stub' ? { NAVER_STUB_SLOW_MS: '1500' } : {}),
        };
        const container = await new PodContainer(`${image}:${TEST_TAG}`)
          .asPod(pod.securityContext.runAsUser)
          .withEnvironment(env)
          .withWaitStrategy(Wait.forLogMessage(/ listening on /))
          .start();
        started.push(container);
        return { name, container, env, grace: pod.terminationGracePeriodSeconds ?? 30, ...p };
      }),
    );

    expect(CHART_VERSION).toBe(RELEASE);
    for (const { name, container, admin } of services) {
      const proc = await processOf(container.getId());
      expect(proc.uid, name).toBe(65532);
      expect(proc.capEff, name).toBe(0n);
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await fetch(`http://127.0.0.1:${String(admin)}/readyz`).catch(() => ({ status: 0 }))).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status, `${name} ready`).toBe(200);
      // The image says which release it is: the version of the repository and of the chart.
      const metrics = await (await fetch(`http://127.0.0.1:${String(admin)}/metrics`)).text();
      expect(metrics, name).toMatch(new RegExp(`^memo_build_info\\{version="${RELEASE}",service="[^"]+"\\} 1$`, 'm'));
    }

    const urls = Object.fromEntries(services.map((s) => [s.name, `http://127.0.0.1:${String(s.port)}`]));
    const helmTest = runHelmTest(objects, urls);
    expect(helmTest.stderr).toBe('');
    expect(helmTest.stdout.match(/^ok /gm)).toHaveLength(3);

    // SIGTERM while a request is in flight (the stand-in's slow token answer): it is answered,
    // then the process exits 0, well within the pod's grace period.
    const stub = services.find((s) => s.name === 'naver-stub');
    if (!stub) throw new Error('no stand-in');
    const stubUrl = urls['naver-stub'] ?? '';
    const client = {
      client_id: stub.env.NAVER_STUB_CLIENT_ID ?? '',
      client_secret: stub.env.NAVER_STUB_CLIENT_SECRET ?? '',
    };
    const picked = await fetch(`${stubUrl}/oauth2.0/authorize`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({
        user: 'slow',
        state: 's',
        client_id: client.client_id,
        redirect_uri: 'http://x.test/cb',
      }),
    });
    const code = new URL(picked.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const inFlight = fetch(`${stubUrl}/oauth2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code, state: 's', ...client }),
    });
    await new Promise((r) => setTimeout(r, 300));
    const results = await Promise.all(
      services.map(async (s) => ({ name: s.name, grace: s.grace, ...(await terminate(s.container.getId())) })),
    );
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { access_token?: string }).access_token).toBeTruthy();
    for (const r of results) {
      expect(r.code, r.name).toBe(0);
      expect(r.ms, r.name).toBeLessThan(r.grace * 1000);
    }
  }, 180_000);

  it('keeps memo-service under its memory limit while heavy requests run: +96 MB at most, no kill, every probe answered', async () => {
    // The budgets issue's container check: memo-service in its image, with the chart's memory
    // limit as a cgroup limit, while four users at the quota run exports, zips, imports and
    // renames as fast as they are answered (five zip exports at once got it killed before).
    const deployment = find(objects, 'Deployment', 'memo-memo');
    const pod = podOf(deployment);
    const limit = quantityBytes(pod.containers[0]?.resources?.limits?.memory ?? '');
    expect(limit).toBe(192 * 1024 ** 2);
    // The chart's Redis users: memo-service connects as its own, the test as admin.
    const redis = await startRedis({ extraArgs: redisUserArgs(objects) });
    const client = new Redis(redis.url, {
      username: 'admin',
      password: secretValue(objects, 'memo-redis', 'redis-password'),
    });
    const keys = sessionKeys();
    const port = await freePort();
    const admin = await freePort();
    const env: Record<string, string> = {
      ...chartEnv(objects, deployment, new Map()),
      REDIS_URL: redis.url,
      SESSION_PUBLIC_KEY: keys.publicPem,
      PORT: String(port),
      ADMIN_PORT: String(admin),
      HOST: '127.0.0.1',
    };
    delete env.SESSION_JWKS_URL;
    const container = await new PodContainer(`memo-memo-service:${TEST_TAG}`)
      .asPod(pod.securityContext.runAsUser)
      .withMemoryLimit(limit)
      .withEnvironment(env)
      .withWaitStrategy(Wait.forLogMessage(/ listening on /))
      .start();
    started.push(container);
    const { pid } = await processOf(container.getId());
    const rss = (): number => residentMb(pid);
    try {
      const url = `http://127.0.0.1:${String(port)}`;
      const cookies: string[] = [];
      for (let i = 0; i < 5; i++) {
        const cookie = await sessionCookie(keys, uniqueUser(), client);
        const res = await fetch(`${url}/import`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify(fullExport(1_000)),
        });
        expect(res.status).toBe(200);
        cookies.push(cookie);
      }
      const [reader = '', ...heavy] = cookies;
      const load = await heavyLoad({
        url,
        adminUrl: `http://127.0.0.1:${String(admin)}`,
        heavy,
        reader,
        seconds: 10,
        rss,
      });
      process.stdout.write(`in its container, limit ${String(limit / 1024 ** 2)} MiB: ${describeLoad(load)}\n`);
      expect(await stateOf(container.getId())).toEqual({ running: true, oomKilled: false });
      expect(load.errors).toBe(0);
      expect(load.done).toBeGreaterThan(4);
      expect(Math.max(...load.probes)).toBeLessThan(2_000);
      expect(load.peakMb - load.idleMb).toBeLessThan(96);
    } finally {
      client.disconnect();
      await container.stop({ remove: true, timeout: 1_000 }).catch(() => undefined);
      await redis.stop();
    }
  }, 180_000);
});
