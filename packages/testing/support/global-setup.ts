import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { parse } from 'yaml';
import { Redis } from 'ioredis';
import { freePort, newServicePasswords, startRedis, type LocalRedis, type ServiceUser } from '@memo/stack';
import { makeServiceUsers, refusals } from './redis-users.js';

/**
 * One Redis for this test run: REDIS_URL when given, otherwise a `redis-server` of our own
 * on a free port, so tests never touch anybody else's data. Under CI nothing may be missing.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** The password of each service's Redis user on it (the chart's ACL, redis-users.ts). */
    redisUsers: Record<ServiceUser, string>;
    chromium: string;
    docker: boolean;
  }
}

const HELM_SCRIPT = fileURLToPath(new URL('../../../scripts/helm.mjs', import.meta.url));

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let redis: LocalRedis | undefined;
let container: StartedTestContainer | undefined;
let runUrl: string | undefined;
const BASE_IMAGES = fileURLToPath(new URL('../../../scripts/base-images.sh', import.meta.url));

export async function setup(project: TestProject): Promise<void> {
  // helm installs itself into tools/helm on first use: once here, before test files run at once.
  const helm = spawnSync(process.execPath, [HELM_SCRIPT, 'version', '--short'], { encoding: 'utf8' });
  if (helm.status !== 0) throw new Error(`helm could not be installed or run: ${helm.stderr}`);
  const docker = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}']).status === 0;
  if (!docker && process.env.CI)
    throw new Error('No Docker engine answers: CI must run the container tests (.ci/run starts one)');
  project.provide('docker', docker);
  // testcontainers' reaper is an image from a registry; our tests stop what they start.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  // Every container uses the host network (an engine without a bridge): the host is this machine.
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';

  // The run's Redis: REDIS_URL when given; else a Redis container where an engine answers (the
  // chart's image, made by scripts/base-images.sh when it cannot be pulled); else redis-server.
  let url = process.env.REDIS_URL;
  if (!url && docker) {
    const base = spawnSync(BASE_IMAGES, { encoding: 'utf8' });
    if (base.status !== 0) throw new Error(`base images: ${base.stderr}`);
    const port = await freePort();
    container = await new GenericContainer(redisImage())
      .withNetworkMode('host')
      .withPullPolicy({ shouldPull: () => false })
      .withCommand(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'])
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .start();
    url = `redis://127.0.0.1:${String(port)}`;
  }
  if (!url) {
    redis = await startRedis();
    url = redis.url;
  }
  project.provide('redisUrl', url);
  // The services run as the chart's Redis users (helm/memo/files/redis-users.acl); teardown
  // fails the run if Redis refused them anything.
  const passwords = newServicePasswords();
  const admin = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await admin.connect();
    await makeServiceUsers(admin, passwords);
    await admin.call('ACL', 'LOG', 'RESET');
  } finally {
    admin.disconnect();
  }
  runUrl = url;
  project.provide('redisUsers', passwords);
  if (!existsSync(CHROMIUM) && process.env.CI) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (CI must run browser tests)`);
  }
  project.provide('chromium', existsSync(CHROMIUM) ? CHROMIUM : '');
}

/** The Redis image the chart names (values.yaml). */
function redisImage(): string {
  const values = parse(
    readFileSync(fileURLToPath(new URL('../../../helm/memo/values.yaml', import.meta.url)), 'utf8'),
  ) as {
    redis: { image: { repository: string; tag: string } };
  };
  return `${values.redis.image.repository}:${values.redis.image.tag}`;
}

export async function teardown(): Promise<void> {
  let refused: string[] = [];
  if (runUrl) {
    const admin = new Redis(runUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await admin.connect();
      refused = await refusals(admin);
    } finally {
      admin.disconnect();
    }
  }
  await redis?.stop();
  await container?.stop({ remove: true, timeout: 1_000 });
  if (refused.length > 0) {
    throw new Error(
      `Redis refused the services' users (helm/memo/files/redis-users.acl is missing these):\n${refused.join('\n')}`,
    );
  }
}
