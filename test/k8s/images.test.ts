import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort, SERVICE_NODE_OPTIONS, startRedis, type LocalRedis } from '@memo/stack';
import { CHART, ROOT, chartEnv, find, redisUserArgs, render, runHelmTest } from '@memo/testing/helm';

/**
 * What can be proven of the images without a Docker engine: skaffold.yaml is valid, every
 * Dockerfile copies files that exist, and each service's compiled output starts the way its
 * image starts it (`node <CMD>` from /app) with exactly the environment the chart gives it.
 */

interface Artifact {
  image: string;
  context: string;
  docker: { dockerfile: string; buildArgs: { SERVICE: string } };
}
interface Skaffold {
  build: { artifacts: Artifact[] };
  deploy: {
    helm: { releases: { chartPath: string; valuesFiles: string[]; setValueTemplates: Record<string, string> }[] };
  };
}

const skaffold = parse(readFileSync(join(ROOT, 'skaffold.yaml'), 'utf8')) as Skaffold;
const artifacts = skaffold.build.artifacts;
const CHART_KEYS: Record<string, string> = {
  'memo-auth-service': 'auth',
  'memo-memo-service': 'memo',
  'memo-web-service': 'web',
  'memo-naver-stub': 'naverStub',
};

/** A service's package.json: how it builds, what it needs at run time, where it starts. */
const manifest = (service: string): { main: string; files: string[]; scripts: { build?: string } } =>
  JSON.parse(readFileSync(join(ROOT, 'services', service, 'package.json'), 'utf8')) as {
    main: string;
    files: string[];
    scripts: { build?: string };
  };

interface Dockerfile {
  copies: string[];
  cmd: string[];
  /** ENV of the final stage: what the image itself sets for the process. */
  env: Record<string, string>;
}

function readDockerfile(path: string, service: string): Dockerfile {
  // Continuation lines (a trailing backslash) belong to the instruction above.
  const lines = readFileSync(join(ROOT, path), 'utf8')
    .replace(/\\\n\s*/g, ' ')
    .replaceAll('${SERVICE}', service)
    .split('\n');
  const copies: string[] = [];
  let cmd: string[] = [];
  let env: Record<string, string> = {};
  for (const line of lines) {
    if (/^FROM\s/.test(line.trim())) env = {};
    const copy = /^COPY\s+(?!--from)(\S.*)$/.exec(line.trim());
    if (copy?.[1]) copies.push(...copy[1].trim().split(/\s+/).slice(0, -1));
    const command = /^CMD\s+(\[.*\])$/.exec(line.trim());
    if (command?.[1]) cmd = JSON.parse(command[1]) as string[];
    const vars = /^ENV\s+(\S.*)$/.exec(line.trim());
    for (const pair of vars?.[1]?.split(/\s+/) ?? []) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return { copies, cmd, env };
}

describe('skaffold.yaml and the Dockerfiles', () => {
  it('is valid against skaffold v4beta14 schema (and the check can fail)', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'test/schemas/skaffold-v4beta14.json'), 'utf8')) as object;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    expect(validate(skaffold), JSON.stringify(validate.errors)).toBe(true);
    const broken = structuredClone(skaffold) as unknown as { build: { artifacts: Record<string, unknown>[] } };
    if (broken.build.artifacts[0]) broken.build.artifacts[0].dockerr = {};
    expect(validate(broken)).toBe(false);
  });

  it('builds four images from the repository root and hands their tags to the chart', () => {
    expect(artifacts.map((a) => a.image).sort()).toEqual(Object.keys(CHART_KEYS).sort());
    const release = skaffold.deploy.helm.releases[0];
    expect(release?.chartPath).toBe(CHART);
    const values = parse(readFileSync(join(ROOT, CHART, 'values.yaml'), 'utf8')) as Record<
      string,
      { image: { repository: string } }
    >;
    for (const artifact of artifacts) {
      expect(artifact.context).toBe('.');
      const key = CHART_KEYS[artifact.image] ?? '';
      const name = artifact.image.replace(/-/g, '_');
      expect(release?.setValueTemplates[`${key}.image.repository`]).toBe(`{{.IMAGE_REPO_${name}}}`);
      expect(release?.setValueTemplates[`${key}.image.tag`]).toBe(`{{.IMAGE_TAG_${name}}}`);
      expect(values[key]?.image.repository).toBe(artifact.image);
    }
    // The kind values enable the Naver stand-in so login works without a Naver account.
    const kind = parse(readFileSync(join(ROOT, release?.valuesFiles[0] ?? ''), 'utf8')) as {
      naverStub: { enabled: boolean };
    };
    expect(kind.naverStub.enabled).toBe(true);
  });

  it('builds every image from one Dockerfile, the service a build argument', () => {
    expect(new Set(artifacts.map((a) => a.docker.dockerfile))).toEqual(new Set(['Dockerfile']));
    expect(artifacts.map((a) => a.docker.buildArgs.SERVICE).sort()).toEqual([
      'auth-service',
      'memo-service',
      'naver-stub',
      'web-service',
    ]);
  });

  it.each(artifacts.map((a) => [a.image, a.docker.buildArgs.SERVICE]))(
    '%s (SERVICE=%s) copies only files that exist and starts its service',
    (_image, service) => {
      const path = 'Dockerfile';
      const text = readFileSync(join(ROOT, path), 'utf8');
      expect(text).toMatch(/^FROM \$\{NODE_IMAGE\} AS build$/m);
      expect(text).toMatch(/^ARG NODE_IMAGE=node:20\.\d+\.\d+-bookworm-slim$/m);
      expect(text).toMatch(/^USER nonroot$/m);
      expect(text).toMatch(/npm ci /);
      // The runtime gets only production dependencies, of the service and the @memo packages it
      // depends on (scripts/workspaces.mjs), each with its package.json "files".
      expect(text).toMatch(/npm ci --omit=dev .*\$\(node scripts\/workspaces\.mjs \$\{SERVICE\}\)/);
      const built = execFileSync('node', ['scripts/workspaces.mjs', service, '--dirs'], { cwd: ROOT, encoding: 'utf8' })
        .trim()
        .split(' ');
      expect(built[0]).toBe('packages/common');
      expect(built.at(-1)).toBe(`services/${service}`);
      expect(built.includes('packages/store')).toBe(service === 'memo-service');
      for (const dir of built.slice(0, -1)) {
        expect(text, dir).toContain(`COPY ${dir} ${dir}`);
        const { files } = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { files: string[] };
        for (const file of files) expect(existsSync(join(ROOT, dir, file)), `${dir}/${file}`).toBe(true);
      }
      const { copies, cmd } = readDockerfile(path, service);
      expect(copies.length).toBeGreaterThan(5);
      // npm ci needs every workspace's manifest, or the lock file and the tree disagree.
      const before = text
        .slice(0, text.indexOf('RUN npm ci'))
        .split('\n')
        .flatMap((line) => /^COPY\s+(?!--from)(\S.*)$/.exec(line.trim())?.[1]?.split(/\s+/).slice(0, -1) ?? []);
      const { workspaces } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
      expect(before).toEqual(
        expect.arrayContaining(['package.json', 'package-lock.json', ...workspaces.map((w) => `${w}/package.json`)]),
      );
      for (const source of copies) expect(existsSync(join(ROOT, source)), source).toBe(true);
      // Exec form, no shell: SIGTERM reaches node; the entry made in the build imports the service's main.
      expect(cmd).toEqual(['server.mjs']);
      const pkg = manifest(service);
      expect(pkg.scripts.build).toBeTruthy();
      for (const file of ['package.json', pkg.main, ...pkg.files]) {
        expect(existsSync(join(ROOT, 'services', service, file)), file).toBe(true);
      }
    },
  );

  it('keeps the build context small', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git', '.data', 'test']) expect(ignore).toContain(entry);
  });
});

describe('each image command with the chart environment', () => {
  const objects = render(['-f', `${CHART}/values-kind.yaml`]);
  const running: ChildProcess[] = [];
  let redis: LocalRedis | undefined;

  afterAll(async () => {
    for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
    await redis?.stop();
  });

  it('starts every service ready, passes the helm test, and stops cleanly on SIGTERM', async () => {
    // The chart's Redis users: each service connects as its own.
    redis = await startRedis({ extraArgs: redisUserArgs(objects) });
    const ports = new Map<string, { port: number; admin: number }>();
    for (const name of ['auth', 'memo', 'web', 'naver-stub'])
      ports.set(name, { port: await freePort(), admin: await freePort() });
    const hosts = new Map<string, string>([['memo-redis:6379', `127.0.0.1:${redis.port}`]]);
    for (const [name, p] of ports) hosts.set(`memo-${name}:8080`, `127.0.0.1:${p.port}`);

    const started = await Promise.all(
      [...ports].map(async ([name, p]) => {
        const deployment = find(objects, 'Deployment', `memo-${name}`);
        const artifact = artifacts.find((a) => CHART_KEYS[a.image] === (name === 'naver-stub' ? 'naverStub' : name));
        const service = artifact?.docker.buildArgs.SERVICE ?? '';
        const { env: imageEnv } = readDockerfile(artifact?.docker.dockerfile ?? '', service);
        // What the image's server.mjs imports: the service's main.
        const cmd = [join('services', service, manifest(service).main)];
        // The image's own ENV (NODE_OPTIONS included: a flag node refuses would stop it here).
        expect(imageEnv.NODE_OPTIONS).toBe(SERVICE_NODE_OPTIONS);
        const env = {
          ...imageEnv,
          ...chartEnv(objects, deployment, hosts),
          PORT: String(p.port),
          ADMIN_PORT: String(p.admin),
          LOG_LEVEL: 'warn',
        };
        const child = spawn(process.execPath, cmd, {
          cwd: ROOT,
          env: { PATH: process.env.PATH, ...env },
          stdio: 'pipe',
        });
        running.push(child);
        const output: string[] = [];
        createInterface({ input: child.stderr }).on('line', (l) => output.push(l));
        await new Promise<void>((resolve, reject) => {
          createInterface({ input: child.stdout }).on('line', (line) => {
            output.push(line);
            if (line.includes(' listening on ')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`${name} exited ${String(code)}: ${output.join('\n')}`)));
        });
        return { name, child, admin: p.admin };
      }),
    );

    for (const { name, admin } of started) {
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await fetch(`http://127.0.0.1:${admin}/readyz`).catch(() => ({ status: 0 }))).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status, `${name} ready`).toBe(200);
    }

    // The chart's own `helm test` script, with cluster names mapped to this machine.
    const urls = Object.fromEntries([...ports].map(([name, p]) => [name, `http://127.0.0.1:${p.port}`]));
    const helmTest = runHelmTest(objects, urls);
    expect(helmTest.stderr).toBe('');
    expect(helmTest.stdout.match(/^ok /gm)).toHaveLength(3);
    expect(helmTest.status).toBe(0);

    const codes = await Promise.all(
      started.map(
        ({ child }) =>
          new Promise<number | null>((resolve) => {
            child.once('exit', (code) => resolve(code));
            child.kill('SIGTERM');
          }),
      ),
    );
    expect(codes).toEqual([0, 0, 0, 0]);
  });
});
