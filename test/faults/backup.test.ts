import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, createRedis, sessionKey, sessionsKey, waitReady, type RedisClient } from '@memo/common';
import { startRedis, type LocalRedis } from '@memo/stack';
import { MemoStore } from '@memo/store';
import { NAVER, render } from '@memo/testing/helm';
import { sessionKeys, uniqueUser } from '@memo/testing/env';
import { waitFor } from '@memo/testing/process';
import { sessionCookie } from '@memo/testing/services';

/**
 * Backup and restore, rehearsed on real redis-servers: the chart's backup CronJob's own script
 * (rendered from the chart) snapshots a Redis with memos and a session; Redis is wiped; the
 * restore of docs/operations.md ("Backup and restore") brings every memo and the session back,
 * and the restored Redis keeps them in its append-only file across a restart.
 */

const work = mkdtempSync(join(tmpdir(), 'memo-backup-'));
const running: LocalRedis[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  rmSync(work, { recursive: true, force: true });
});

const PASSWORD = 'backup-test-password';
const connect = async (port: number): Promise<RedisClient> => {
  const client = createRedis(
    { REDIS_URL: new URL(`redis://127.0.0.1:${String(port)}`), REDIS_PASSWORD: PASSWORD },
    createLogger('test', 'silent'),
  );
  await waitReady(client);
  return client;
};

describe('backup and restore of the chart’s Redis', () => {
  it('snapshots with the CronJob’s script, keeps the last ones, and restores every memo and session', async () => {
    const cronJob = render([...NAVER, '--set', 'redis.backup.enabled=true']).find((o) => o.kind === 'CronJob');
    const container = (
      cronJob?.spec as { jobTemplate: { spec: { template: { spec: { containers: { command: string[] }[] } } } } }
    ).jobTemplate.spec.template.spec.containers[0];
    const script = container?.command[2] ?? '';
    expect(script).toContain('--rdb');

    const data = join(work, 'data');
    const backups = join(work, 'backups');
    mkdirSync(backups);
    // (Redis waits 5 s for more replicas before it streams a snapshot; not here.) The CronJob
    // connects as the chart's admin user.
    const quick = ['--repl-diskless-sync-delay', '0', '--user', 'admin', 'on', `>${PASSWORD}`, '~*', '&*', '+@all'];
    let redis = await startRedis({ dir: data, password: PASSWORD, extraArgs: quick });
    running.push(redis);
    const client = await connect(redis.port);
    const store = new MemoStore(client, { maxCount: 1000, maxBytes: 1_000_000 });
    const user = uniqueUser();
    const texts = ['첫 메모', 'a second memo #tag', '세 번째'];
    for (const text of texts) await store.add(user, text);
    await sessionCookie(sessionKeys(), user, client);
    const [sessionId = ''] = await client.zrange(sessionsKey(user), 0, -1);
    client.disconnect();

    // Three runs of the CronJob, keeping two.
    const env = {
      PATH: process.env.PATH,
      REDIS_URL: `redis://127.0.0.1:${String(redis.port)}`,
      REDISCLI_AUTH: PASSWORD,
      BACKUP_DIR: backups,
      BACKUP_KEEP: '2',
    };
    for (let run = 0; run < 3; run += 1) {
      expect(execFileSync('sh', ['-c', script], { env, encoding: 'utf8' })).toMatch(
        /^backed up memo-\d{8}T\d{6}Z\.rdb$/m,
      );
      await new Promise((r) => setTimeout(r, 1100)); // one snapshot a second at most: names are to the second
    }
    const kept = readdirSync(backups).sort();
    expect(kept).toHaveLength(2);
    expect(kept.every((f) => /^memo-\d{8}T\d{6}Z\.rdb$/.test(f))).toBe(true);

    // Redis is lost with its volume.
    await redis.stop();
    rmSync(data, { recursive: true, force: true });
    mkdirSync(data);

    // The restore (docs/operations.md): the newest snapshot as restore.rdb, Redis started once
    // without its append-only file to load it, the file made from what was loaded, then Redis
    // as the chart runs it.
    copyFileSync(join(backups, kept.at(-1) ?? ''), join(data, 'restore.rdb'));
    const loading = await startRedis({
      password: PASSWORD,
      extraArgs: ['--dir', data, '--dbfilename', 'restore.rdb', '--appendonly', 'no', '--save', ''],
    });
    const once = await connect(loading.port);
    expect(await once.dbsize()).toBeGreaterThan(0);
    await once.config('SET', 'appendonly', 'yes');
    const written = async (): Promise<boolean> => {
      const info = await once.info('persistence');
      return (
        /aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info) && /aof_enabled:1/.test(info)
      );
    };
    await waitFor(written, 10_000, 'the append-only file made from the snapshot');
    once.disconnect();
    await loading.stop();
    rmSync(join(data, 'restore.rdb'));

    redis = await startRedis({ dir: data, password: PASSWORD, port: redis.port, extraArgs: quick });
    running.push(redis);
    const restored = await connect(redis.port);
    const again = new MemoStore(restored, { maxCount: 1000, maxBytes: 1_000_000 });
    expect((await again.list(user, 10)).memos.map((m) => m.text)).toEqual([...texts].reverse());
    expect(await restored.get(sessionKey(user, sessionId))).toBe(user);
    expect(await again.tags(user)).toEqual([{ tag: 'tag', count: 1 }]);
    restored.disconnect();
  }, 60_000);
});
