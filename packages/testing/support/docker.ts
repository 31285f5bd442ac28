import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GenericContainer } from 'testcontainers';
import { inject } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './helm.js';

/**
 * The Docker engine for the container tests: whatever `docker` answers (a laptop's engine, or
 * the one `.ci/run` starts with no bridge network). Every container uses the host network, so
 * all traffic stays on 127.0.0.1. Images are never pulled: the base images are there or made
 * by scripts/base-images.sh, and ours are built here as skaffold builds them.
 */

const run = promisify(execFile);

export const hasDocker = (): boolean => inject('docker');

export interface Artifact {
  image: string;
  context: string;
  docker: { dockerfile: string; buildArgs?: Record<string, string> };
}

export const ARTIFACTS = (
  parse(readFileSync(join(ROOT, 'skaffold.yaml'), 'utf8')) as { build: { artifacts: Artifact[] } }
).build.artifacts;

/** The tag the tests give the images they build (never a release's). */
export const TEST_TAG = 'test';

/** Builds every image as skaffold does (the repository root as context, each Dockerfile); seconds each. */
export async function buildImages(root = ROOT, tag = TEST_TAG): Promise<Record<string, number>> {
  const base = spawnSync(join(root, 'scripts', 'base-images.sh'), { encoding: 'utf8', cwd: root });
  if (base.status !== 0) throw new Error(`base images: ${base.stderr}${base.stdout}`);
  const seconds: Record<string, number> = {};
  // One at a time: they share the dependency layer, and two cores are enough for one npm ci.
  for (const artifact of ARTIFACTS) {
    const began = performance.now();
    await run(
      'docker',
      [
        'build',
        '--network',
        'host',
        '-q',
        '-f',
        artifact.docker.dockerfile,
        ...Object.entries(artifact.docker.buildArgs ?? {}).flatMap(([name, value]) => [
          '--build-arg',
          `${name}=${value}`,
        ]),
        '-t',
        `${artifact.image}:${tag}`,
        artifact.context,
      ],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
    );
    seconds[artifact.image] = Math.round((performance.now() - began) / 100) / 10;
  }
  return seconds;
}

/** A container started the way the chart's pods start: read-only root, a user, no capabilities. */
export class PodContainer extends GenericContainer {
  constructor(image: string) {
    super(image);
    this.withNetworkMode('host').withPullPolicy({ shouldPull: () => false });
  }

  /** securityContext: readOnlyRootFilesystem, runAsUser/Group, capabilities drop ALL, no privilege escalation. */
  asPod(user: number): this {
    this.hostConfig.ReadonlyRootfs = true;
    this.hostConfig.SecurityOpt = ['no-new-privileges'];
    return this.withUser(`${String(user)}:${String(user)}`).withDroppedCapabilities('ALL');
  }

  /** resources.limits.memory: the kernel kills the container past it (no swap), as kubelet's cgroup does. */
  withMemoryLimit(bytes: number): this {
    this.hostConfig.Memory = bytes;
    this.hostConfig.MemorySwap = bytes;
    return this;
  }
}

/** A Kubernetes memory quantity (`192Mi`, `1G`, `500M`) in bytes. */
export function quantityBytes(quantity: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|k|M|G)?$/.exec(quantity);
  if (!m) throw new Error(`not a memory quantity: ${quantity}`);
  const unit = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

/** Whether the kernel killed the container for its memory, and whether it still runs. */
export async function stateOf(id: string): Promise<{ running: boolean; oomKilled: boolean }> {
  const { stdout } = await run('docker', ['inspect', '--format', '{{.State.Running}} {{.State.OOMKilled}}', id]);
  const [running, oom] = stdout.trim().split(' ');
  return { running: running === 'true', oomKilled: oom === 'true' };
}

/** What the kernel says of a container's main process: its uid and effective capabilities. */
export async function processOf(id: string): Promise<{ uid: number; capEff: bigint; pid: number }> {
  const { stdout } = await run('docker', ['inspect', '--format', '{{.State.Pid}}', id]);
  const pid = Number(stdout.trim());
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
  const capEff = BigInt(`0x${/^CapEff:\s+([0-9a-f]+)/m.exec(status)?.[1] ?? 'ff'}`);
  return { uid, capEff, pid };
}

/** Sends SIGTERM and waits for the exit: its code and how long it took. */
export async function terminate(id: string): Promise<{ code: number; ms: number }> {
  const began = performance.now();
  await run('docker', ['kill', '--signal', 'TERM', id]);
  const { stdout } = await run('docker', ['wait', id]);
  return { code: Number(stdout.trim()), ms: Math.round(performance.now() - began) };
}
