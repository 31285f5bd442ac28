import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { Wait, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@memo/stack';
import { hasBrowser, launchBrowser } from '@memo/testing/browser';
import { PodContainer, TEST_TAG, buildImages, hasDocker } from '@memo/testing/docker';

const run = promisify(execFile);
import {
  CHART,
  ROOT,
  chartEnv,
  expandedArgs,
  find,
  helm,
  render,
  runHelmTest,
  type K8sObject,
} from '@memo/testing/helm';
import { startRegistry, type LocalRegistry } from '@memo/testing/registry';
import { ingressNginxConfig, startNginx } from '@memo/testing/ingress-nginx';
import { standInLogin } from '@memo/testing/standin';
import { personFlow, storedTexts } from '@memo/testing/flows';
import { waitFor } from '@memo/testing/process';

/**
 * The deployment, rehearsed on one machine: Redis with AOF on a volume and a password, two
 * replicas each of auth, memo and web and the Naver stand-in, all from the images and started
 * as the chart starts them, and in front an nginx configured as ingress-nginx renders the
 * chart's Ingress objects. Then what a person does, in Chromium, through it; a Redis restart;
 * a memo replica killed during writes; and the chart's `helm test`.
 */

interface PodSpec {
  securityContext: { runAsUser: number };
  containers: (Parameters<typeof expandedArgs>[1] & { image: string })[];
}
const podOf = (o: K8sObject): PodSpec => (o.spec as { template: { spec: PodSpec } }).template.spec;

const IMAGES: Record<string, string> = {
  auth: 'memo-auth-service',
  memo: 'memo-memo-service',
  web: 'memo-web-service',
  'naver-stub': 'memo-naver-stub',
};

/** What scripts/release.mjs says it released (release.json). */
interface Release {
  version: string;
  images: Record<string, { repository: string; reference: string; pinned: string; digest: string }>;
  chart: { reference: string; version: string; digest: string };
}

interface Deployment {
  site: string;
  objects: K8sObject[];
  replicas: Map<string, { container: StartedTestContainer; port: number; admin: number }[]>;
  redis: StartedTestContainer;
  stop(): Promise<void>;
}

/**
 * The image a component runs: the one the chart names, by digest (`name:tag@sha256:…` run as
 * `name@sha256:…`), when the chart is a release's; this run's local build otherwise, and always
 * for the Naver stand-in, which is not released.
 */
function imageOf(name: string, deployment: K8sObject, tag: string): string {
  const named = podOf(deployment).containers[0]?.image ?? '';
  const pinned = /^([^@]+):[^:@/]+@(sha256:[a-f0-9]{64})$/.exec(named);
  return pinned && name !== 'naver-stub' ? `${pinned[1] ?? ''}@${pinned[2] ?? ''}` : `${IMAGES[name] ?? ''}:${tag}`;
}

interface DeployOptions {
  /** A packaged chart (a release's), or another tree's chart folder (its values-kind.yaml too). */
  chart?: string;
  /** The tag of the locally built images (TEST_TAG: this tree's). */
  imageTag?: string;
  /** Redis's data folder, kept across deployments (an upgrade); a new one otherwise. */
  dataDir?: string;
  /** The site's port, kept across deployments. */
  port?: number;
  /** An earlier install's objects: their Secrets' values are kept, as the chart's lookup keeps them. */
  keepSecretsOf?: K8sObject[];
}

/** The Secrets of `objects` with every value `earlier` already had (what helm's lookup does). */
function keepSecrets(objects: K8sObject[], earlier: K8sObject[]): void {
  for (const secret of objects.filter((o) => o.kind === 'Secret')) {
    const before = earlier.find((o) => o.kind === 'Secret' && o.metadata.name === secret.metadata.name) as
      { data?: Record<string, string> } | undefined;
    const now = secret as { data?: Record<string, string> };
    now.data = { ...now.data, ...before?.data };
  }
}

/**
 * Redis, `perService` replicas of each service (the stand-in: one) and nginx in front, for a
 * site at `path` of a free port on localhost, everything as the chart renders it.
 */
async function deploy(path: string, perService: number, opts: DeployOptions = {}): Promise<Deployment> {
  const work = mkdtempSync(join(tmpdir(), 'memo-rehearsal-'));
  const containers: StartedTestContainer[] = [];
  let nginx: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    nginx?.kill('SIGQUIT');
    await Promise.all(containers.map((c) => c.stop({ remove: true, timeout: 1_000 }).catch(() => undefined)));
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const port = opts.port ?? (await freePort());
    const site = `http://localhost:${String(port)}${path}`;
    const kindValues = opts.chart && !opts.chart.endsWith('.tgz') ? opts.chart : CHART;
    const objects = render(['-f', `${kindValues}/values-kind.yaml`, '--set', `publicUrl=${site}`], opts.chart);
    if (opts.keepSecretsOf) keepSecrets(objects, opts.keepSecretsOf);

    const redisPort = await freePort();
    const dataDir = opts.dataDir ?? join(work, 'redis');
    mkdirSync(dataDir, { recursive: true });
    chownSync(dataDir, 999, 999);
    const statefulSet = find(objects, 'StatefulSet', 'memo-redis');
    const pod = podOf(statefulSet);
    const redis = await new PodContainer(pod.containers[0]?.image ?? '')
      .asPod(pod.securityContext.runAsUser)
      .withCommand([
        // The users (admin, and one per service) with the passwords of the chart's Secret.
        ...(pod.containers[0] ? expandedArgs(objects, pod.containers[0]) : []),
        ...['--port', String(redisPort), '--bind', '127.0.0.1'],
      ])
      .withBindMounts([{ source: dataDir, target: '/data' }])
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .start();
    containers.push(redis);

    const ports = new Map<string, { port: number; admin: number }[]>();
    for (const name of Object.keys(IMAGES)) {
      const count = name === 'naver-stub' ? 1 : perService;
      ports.set(
        name,
        await Promise.all(
          Array.from({ length: count }, async () => ({ port: await freePort(), admin: await freePort() })),
        ),
      );
    }
    // Cluster names → this machine: a Service's first replica for service-to-service calls.
    const hosts = new Map<string, string>([['memo-redis:6379', `127.0.0.1:${String(redisPort)}`]]);
    for (const [name, list] of ports) hosts.set(`memo-${name}:8080`, `127.0.0.1:${String(list[0]?.port ?? 0)}`);
    const replicas = new Map<string, { container: StartedTestContainer; port: number; admin: number }[]>();
    for (const [name, list] of ports) {
      const deployment = find(objects, 'Deployment', `memo-${name}`);
      const started = await Promise.all(
        list.map(async (p) => {
          const container = await new PodContainer(imageOf(name, deployment, opts.imageTag ?? TEST_TAG))
            .asPod(podOf(deployment).securityContext.runAsUser)
            .withEnvironment({
              ...chartEnv(objects, deployment, hosts),
              PORT: String(p.port),
              ADMIN_PORT: String(p.admin),
              HOST: '127.0.0.1',
            })
            .withWaitStrategy(Wait.forLogMessage(/ listening on /))
            .start();
          containers.push(container);
          return { container, port: p.port, admin: p.admin };
        }),
      );
      replicas.set(name, started);
    }
    const upstreams = Object.fromEntries(
      [...replicas].map(([name, list]) => [`memo-${name}`, list.map((r) => `127.0.0.1:${String(r.port)}`)]),
    );
    const config = ingressNginxConfig(
      objects.filter((o) => o.kind === 'Ingress'),
      upstreams,
      { dir: join(work, 'nginx'), port },
    );
    nginx = await startNginx(config, join(work, 'nginx'), port);
    return { site, objects, replicas, redis, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * A session through the front door, as the browser gets one. A replica that is still
 * reconnecting to a restarted Redis sends the person back to the page with a reason: they
 * (and this) try again.
 */
async function login(site: string, user: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const { cookie } = await standInLogin(new URL('auth/login', site), user);
    if (cookie) return cookie;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${user} could not log in`);
}

describe.skipIf(!hasDocker() || !hasBrowser())('the deployment, rehearsed behind an ingress-nginx-like nginx', () => {
  let deployment: Deployment;
  let objects: K8sObject[] = [];
  let replicas: Deployment['replicas'] = new Map();
  let browser: Browser | undefined;
  let site = '';
  let redis: StartedTestContainer;

  let registry: LocalRegistry | undefined;
  let release: Release;
  let releaseDir = '';

  beforeAll(async () => {
    await buildImages();
    // Released as the release workflow releases (scripts/release.mjs, this machine's platform
    // only) to a registry on loopback; then everything comes back from it: the chart as OCI,
    // the images by the digests that chart names (not the local build's tags).
    releaseDir = mkdtempSync(join(tmpdir(), 'memo-release-'));
    registry = await startRegistry();
    const { stdout } = await run(
      process.execPath,
      ['scripts/release.mjs', '--registry', `${registry.host}/memo`, '--plain-http', '--out', releaseDir],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    release = JSON.parse(stdout) as Release;
    const pulled = join(releaseDir, 'pulled');
    mkdirSync(pulled);
    const fromRegistry = helm([
      'pull',
      release.chart.reference,
      '--version',
      release.version,
      '--plain-http',
      '-d',
      pulled,
    ]);
    if (fromRegistry.status !== 0) throw new Error(`helm pull: ${fromRegistry.stderr}`);
    for (const image of Object.values(release.images)) {
      await run('docker', ['rmi', image.reference.split('@')[0] ?? '']);
      await run('docker', ['pull', '-q', image.pinned]);
    }
    deployment = await deploy('/', 2, { chart: join(pulled, `memo-${release.version}.tgz`) });
    ({ site, objects, replicas, redis } = deployment);
    browser = await launchBrowser();
  }, 900_000);

  afterAll(async () => {
    // Everything that started, even when beforeAll failed half way (the registry included).
    try {
      await browser?.close();
      await (deployment as Deployment | undefined)?.stop();
    } finally {
      await registry?.stop();
      if (releaseDir) rmSync(releaseDir, { recursive: true, force: true });
    }
  });

  it('runs what was released: the chart from the registry names each image by the digest pushed', async () => {
    expect(release.version).toBe(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );
    expect(Object.keys(release.images).sort()).toEqual(['auth', 'memo', 'web']);
    for (const [component, image] of Object.entries(release.images)) {
      // The registry serves that manifest under the version's tag, by that digest.
      const manifest = await fetch(
        `http://${registry?.host ?? ''}/v2/memo/${image.repository}/manifests/${release.version}`,
        {
          method: 'HEAD',
          headers: {
            accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
          },
        },
      );
      expect(manifest.status).toBe(200);
      expect(manifest.headers.get('docker-content-digest')).toBe(image.digest);
      // The pulled chart's Deployment names it so, and the replicas run it.
      const container = podOf(find(objects, 'Deployment', `memo-${component}`)).containers[0];
      expect(container?.image).toBe(
        `${registry?.host ?? ''}/memo/${image.repository}:${release.version}@${image.digest}`,
      );
      for (const replica of replicas.get(component) ?? []) {
        const { stdout } = await run('docker', ['inspect', '--format', '{{.Config.Image}}', replica.container.getId()]);
        expect(stdout.trim()).toBe(image.pinned);
        expect(image.pinned).toBe(`${registry?.host ?? ''}/memo/${image.repository}@${image.digest}`);
      }
      // With its SBOM: the service's production dependencies, no test tools.
      const sbom = JSON.parse(readFileSync(join(releaseDir, 'sbom', `${image.repository}.cdx.json`), 'utf8')) as {
        bomFormat: string;
        components: { name: string }[];
      };
      expect(sbom.bomFormat).toBe('CycloneDX');
      const names = sbom.components.map((c) => c.name);
      expect(names).toContain('express');
      expect(names).not.toContain('vitest');
    }
  });

  it("passes the chart's helm test", () => {
    const urls = Object.fromEntries(
      [...replicas].map(([name, list]) => [name, `http://127.0.0.1:${String(list[0]?.port ?? 0)}`]),
    );
    const result = runHelmTest(objects, urls);
    expect(result.stderr).toBe('');
    expect(result.stdout.match(/^ok /gm)).toHaveLength(3);
  });

  it('lets a person log in, keep memos and log out, through the ingress', async () => {
    if (!browser) throw new Error('no browser');
    const { outside } = await personFlow(browser, site, '인그레스를 지나온 메모');
    expect(outside).toEqual([]);
  });

  const post = (cookie: string, text: string): Promise<Response> =>
    fetch(new URL('memo', site), {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(10_000),
    });

  async function texts(cookie: string): Promise<string[]> {
    const res = await fetch(new URL('memo?limit=100', site), { headers: { cookie } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { memos: { text: string }[] }).memos.map((m) => m.text);
  }

  it('keeps a memo written before a Redis restart (AOF on its volume)', async () => {
    const cookie = await login(site, 'kim');
    expect((await post(cookie, '재시작 전에 쓴 메모')).status).toBe(201);
    // docker itself, not testcontainers' restart(): that one waits for the log line again and
    // can miss it when Redis is back within the same second (testcontainers-node #446, #488),
    // hanging the test; the loop below is the wait that matters, as a person would see it.
    await run('docker', ['restart', '--time', '10', redis.getId()]);
    let seen: string[] = [];
    for (let i = 0; i < 100 && !seen.includes('재시작 전에 쓴 메모'); i++) {
      seen = await texts(cookie).catch(() => []);
      if (!seen.includes('재시작 전에 쓴 메모')) await new Promise((r) => setTimeout(r, 100));
    }
    if (!seen.includes('재시작 전에 쓴 메모')) {
      // What Redis said while it restarted (a refused AOF replay shows here).
      const logs = await run('docker', ['logs', redis.getId()]).catch((e: unknown) => ({
        stdout: String(e),
        stderr: '',
      }));
      process.stdout.write(`Redis's log:\n${logs.stdout}${logs.stderr}\n`);
    }
    expect(seen).toContain('재시작 전에 쓴 메모');
    // One replica answering is enough for the loop above; every one must come back by itself
    // (ioredis retries at most every 2 s), as Kubernetes would wait for them to be ready
    // before sending them traffic again. This nginx does not read readiness, so the next test
    // would otherwise send half its writes to a replica still reconnecting.
    const all = [...replicas.values()].flat();
    await waitFor(
      async () =>
        (await Promise.all(all.map((r) => fetch(`http://127.0.0.1:${String(r.admin)}/readyz`)))).every(
          (res) => res.status === 200,
        ),
      10_000,
      'every replica ready again after the Redis restart',
    );
  });

  it('loses no acknowledged write when a memo replica is killed (SIGKILL) during writes', async () => {
    const cookie = await login(site, 'lee');
    const acknowledged: string[] = [];
    const refused: number[] = [];
    const victim = replicas.get('memo')?.[0]?.container;
    if (!victim) throw new Error('no memo replica');
    let next = 0;
    // Eight writers at once; the replica dies under them, a third of the way through.
    const writer = async (): Promise<void> => {
      while (next < 100) {
        const text = `쓰기 ${String(next++)}`;
        if (next === 35) await run('docker', ['kill', '--signal', 'KILL', victim.getId()]);
        const res = await post(cookie, text).catch(() => null);
        if (res?.status === 201) acknowledged.push(text);
        else refused.push(res?.status ?? 0);
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    // (100 stays under the chart's 120 writes a minute per person.) What was refused was in
    // flight on the killed replica: 502, never acknowledged.
    expect(acknowledged.length).toBeGreaterThan(80);
    expect(refused.every((status) => status === 502)).toBe(true);
    const stored = await storedTexts(site, cookie);
    expect(acknowledged.filter((text) => !stored.has(text))).toEqual([]);
    process.stdout.write(`writes: ${String(acknowledged.length)} acknowledged, refused: ${JSON.stringify(refused)}\n`);
  });
});

describe.skipIf(!hasDocker() || !hasBrowser())('the deployment under a sub-path, behind the same nginx', () => {
  let deployment: Deployment;
  let browser: Browser | undefined;

  beforeAll(async () => {
    await buildImages();
    deployment = await deploy('/memos/', 1);
    browser = await launchBrowser();
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await (deployment as Deployment | undefined)?.stop();
  });

  it('serves everything under /memos/: the login, memos and logout, nothing outside, cookies scoped to it', async () => {
    const { site } = deployment;
    const origin = new URL(site).origin;
    const bare = await fetch(`${origin}/memos?x=1`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(new URL(bare.headers.get('location') ?? '', origin).pathname).toBe('/memos/');
    for (const outside of ['/', '/memo', '/auth/me', '/_naver/oauth2.0/authorize']) {
      expect((await fetch(`${origin}${outside}`, { redirect: 'manual' })).status, outside).toBe(404);
    }
    if (!browser) throw new Error('no browser');
    const { outside, cookiePaths } = await personFlow(browser, site, '하위 경로, 인그레스 뒤', `${origin}/memos`);
    expect(outside).toEqual([]);
    expect(cookiePaths.length).toBeGreaterThan(0);
    for (const path of cookiePaths) expect(path).toMatch(/^\/memos\//);

    // A share link under the sub-path, opened through the ingress by a browser that never
    // logged in: the memo, and no cookie.
    const cookie = await login(site, 'kim');
    const made = await fetch(new URL('memo', site), {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ text: '하위 경로로 공유한 메모' }),
    });
    const { id } = (await made.json()) as { id: string };
    const shared = await fetch(new URL(`memo/${id}/share`, site), { method: 'POST', headers: { cookie } });
    expect(shared.status).toBe(201);
    const { token } = (await shared.json()) as { token: string };
    const stranger = await browser.newContext();
    try {
      const page = await stranger.newPage();
      const answer = await page.goto(new URL(`s/${token}`, site).href);
      expect(answer?.headers()['x-robots-tag']).toBe('noindex, nofollow');
      await expect.poll(() => page.locator('#shared-text').innerText()).toBe('하위 경로로 공유한 메모');
      expect(await stranger.cookies()).toEqual([]);
    } finally {
      await stranger.close();
    }
  });
});

/**
 * The release before this one: the newest `v*` tag, else the last commit that landed before
 * there were releases (this repository had no tag yet when releases began).
 */
const BEFORE_RELEASES = '27f1981';
async function previousRelease(): Promise<string> {
  const tag = await run('git', ['describe', '--tags', '--abbrev=0', '--match', 'v*', 'HEAD^'], { cwd: ROOT }).catch(
    () => null,
  );
  return tag?.stdout.trim() || BEFORE_RELEASES;
}

describe.skipIf(!hasDocker())('an upgrade from the previous release, as helm upgrade does it', () => {
  it('keeps the memos, the session and Redis’s data, from the previous chart and images to these', async () => {
    const previous = await previousRelease();
    const tree = mkdtempSync(join(tmpdir(), 'memo-previous-'));
    const data = mkdtempSync(join(tmpdir(), 'memo-upgrade-data-'));
    let before: Deployment | undefined;
    let after: Deployment | undefined;
    try {
      await buildImages();
      await run('git', ['worktree', 'add', '--detach', tree, previous], { cwd: ROOT });
      // Its images, built from its own tree (and its own Redis image's stand-in).
      await buildImages(tree, 'previous');
      before = await deploy('/', 1, { chart: join(tree, 'helm/memo'), imageTag: 'previous', dataDir: data });
      const { site } = before;
      const cookie = await login(site, 'kim');
      const texts = ['업그레이드 전 첫 메모', 'before the upgrade #tag', '세 번째'];
      for (const text of texts) {
        const res = await fetch(new URL('memo', site), {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify({ text }),
        });
        expect(res.status).toBe(201);
      }
      const port = Number(new URL(site).port);
      const earlier = before.objects;
      await before.stop();
      before = undefined;

      // helm upgrade: this chart and these images, the same volume, the Secrets kept.
      after = await deploy('/', 1, { dataDir: data, port, keepSecretsOf: earlier });
      const redisOf = (objects: K8sObject[]): string =>
        podOf(find(objects, 'StatefulSet', 'memo-redis')).containers[0]?.image ?? '';
      process.stdout.write(`upgrade: ${previous} (${redisOf(earlier)}) → this tree (${redisOf(after.objects)})\n`);
      let page: { memos: { text: string }[] } | undefined;
      for (let i = 0; i < 50 && !page; i++) {
        const res = await fetch(new URL('memo', after.site), { headers: { cookie } });
        if (res.status === 200) page = (await res.json()) as { memos: { text: string }[] };
        else await new Promise((r) => setTimeout(r, 200));
      }
      expect(page?.memos.map((m) => m.text).sort()).toEqual([...texts].sort());
      const me = await fetch(new URL('auth/me', after.site), { headers: { cookie } });
      expect(me.status).toBe(200);
      const more = await fetch(new URL('memo', after.site), {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ text: '업그레이드 후' }),
      });
      expect(more.status).toBe(201);
    } finally {
      await before?.stop();
      await after?.stop();
      await run('git', ['worktree', 'remove', '--force', tree], { cwd: ROOT }).catch(() => undefined);
      rmSync(tree, { recursive: true, force: true });
      rmSync(data, { recursive: true, force: true });
    }
  }, 900_000);
});
