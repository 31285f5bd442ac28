import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type LocalRedis } from '@memo/stack';

/** A Redis Cluster of local redis-server processes on loopback ports: three primaries. */
export interface LocalCluster {
  /** One node's URL: ioredis discovers the rest. */
  url: string;
  /** Every node, primaries and replicas alike. */
  nodes: LocalRedis[];
  stop(): Promise<void>;
}

/** What `redis-cli` prints for a command to the node on `port` (it throws when the command fails). */
export function redisCli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', timeout: 2_000 });
}

/**
 * Whether a node's `INFO replication` says it is a primary or a replica whose sync is done. A
 * replica that never finished one is never promoted ("Disconnected from master for longer than
 * allowed").
 */
export const inSync = (replication: string): boolean =>
  !replication.includes('role:slave') || replication.includes('master_link_status:up');

/**
 * Three primaries, each with `replicas` replicas (0 by default). `nodeTimeoutMs` is how long a
 * node may be silent before it is failed over (Redis's default: 15 s).
 */
export async function startCluster(
  opts: { replicas?: number; nodeTimeoutMs?: number; binary?: string } = {},
): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'memo-cluster-'));
  const nodes: LocalRedis[] = [];
  const replicas = opts.replicas ?? 0;
  try {
    for (let i = 0; i < 3 * (1 + replicas); i++) {
      nodes.push(
        await startRedis({
          ...(opts.binary ? { binary: opts.binary } : {}),
          extraArgs: [
            ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${i}.conf`), '--dir', dir],
            ...(opts.nodeTimeoutMs ? ['--cluster-node-timeout', String(opts.nodeTimeoutMs)] : []),
            // A replica's first sync starts at once rather than after the default 5 s wait.
            ...['--repl-diskless-sync-delay', '0'],
          ],
        }),
      );
    }
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    execFileSync(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'],
      { stdio: 'pipe', timeout: 30_000 },
    );
    // Ready when every node sees every slot served and every replica has finished its first
    // sync (inSync): a primary killed before that would leave its slots down for good.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const infos = nodes.map((n) => redisCli(n.port, 'cluster', 'info') + redisCli(n.port, 'info', 'replication'));
      if (infos.every((info) => info.includes('cluster_state:ok') && inSync(info))) break;
      if (Date.now() > deadline) throw new Error(`cluster not ready: ${infos.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: nodes[0]?.url ?? '',
    nodes,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A cluster for the tests of one file: started before them (it may take a while), stopped after.
 * Returns its URL, to be read once the tests run.
 */
export function useCluster(): () => string {
  let cluster: LocalCluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (!cluster) throw new Error('the cluster is not started yet');
    return cluster.url;
  };
}
