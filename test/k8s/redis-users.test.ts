import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { SERVICE_USERS, startRedis, type LocalRedis } from '@memo/stack';
import { NAVER, redisUserArgs, render, secretValue } from '@memo/testing/helm';
import { makeServiceUsers } from '@memo/testing/redis-users';
import { VALKEY, valkeyInstalled } from '@memo/testing/valkey';

/**
 * The chart's Redis users (files/redis-users.acl, docs/data.md "Redis users"), on real servers
 * started with the StatefulSet's own arguments: Redis's default user is off, each service is
 * refused what it must not do and allowed what it does, and the users are the ones every
 * test run makes for the services (global-setup), so the whole suite runs under them.
 */

const objects = render(NAVER);
const password = (key: string): string => secretValue(objects, 'memo-redis', key);
const userArgs = (): string[] => redisUserArgs(objects);

const engines = [
  { name: 'Redis', binary: 'redis-server', present: true },
  { name: 'Valkey', binary: VALKEY, present: valkeyInstalled() },
];

const U = 'u-acl';

for (const engine of engines) {
  describe.skipIf(!engine.present)(`the chart’s Redis users, on ${engine.name}`, () => {
    let server: LocalRedis;
    const dir = mkdtempSync(join(tmpdir(), 'memo-acl-'));
    const clients: Redis[] = [];
    const as = async (username: string, pass: string): Promise<Redis> => {
      const client = new Redis(server.url, { username, password: pass, maxRetriesPerRequest: 0, lazyConnect: true });
      clients.push(client);
      client.on('error', () => undefined);
      await client.connect();
      return client;
    };
    /** Each command, sent one after the other, is refused for want of permission. */
    const allRefused = async (commands: (() => Promise<unknown>)[]): Promise<void> => {
      for (const command of commands) await expect(command(), command.toString()).rejects.toThrow(/NOPERM/);
    };

    beforeAll(async () => {
      // With an append-only file, as the chart runs it.
      server = await startRedis({ binary: engine.binary, dir, extraArgs: userArgs() });
    });
    afterAll(async () => {
      for (const client of clients) client.disconnect();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('has the default user off: nothing without a user and its password', async () => {
      const anonymous = new Redis(server.url, { maxRetriesPerRequest: 0, lazyConnect: true, enableReadyCheck: false });
      clients.push(anonymous);
      await anonymous.connect();
      await expect(anonymous.get('x')).rejects.toThrow(/NOAUTH/);
      await expect(anonymous.call('AUTH', 'default', '')).rejects.toThrow(/WRONGPASS/);
      await expect(anonymous.call('AUTH', 'memo-service', 'wrong')).rejects.toThrow(/WRONGPASS/);
      const admin = await as('admin', password('redis-password'));
      expect(await admin.ping()).toBe('PONG');
    });

    /** What ACL DRYRUN says of `command` for `user`: refused (what Redis would answer), or OK. */
    const dryRun = async (user: string, ...command: string[]): Promise<string> => {
      const admin = await as('admin', password('redis-password'));
      return String(await admin.call('ACL', 'DRYRUN', user, ...command));
    };

    it('lets memo-service at memos and its sessions’ checks, nothing else', async () => {
      const memo = await as('memo-service', password('memo-service-password'));
      // What it does: a user's memos, in a script naming the user's session, and a scan for migrate.
      await memo.hset(`{memo:${U}}:memos`, 'm1', '{}');
      expect(
        await memo.eval(
          "redis.call('LPUSH', KEYS[1], 'r'); return redis.call('EXISTS', KEYS[2])",
          2,
          `memo:${U}`,
          `{memo:${U}}:session:s1`,
        ),
      ).toBe(0);
      expect((await memo.scan('0', 'MATCH', 'memo:*', 'COUNT', '10'))[0]).toBeDefined();
      // What it must not: the server, every key, another service's keys.
      // DEBUG is off on the server anyway, SHUTDOWN would end the test: asked without running them.
      for (const command of [['DEBUG', 'SLEEP', '0'], ['SHUTDOWN', 'NOSAVE'], ['MONITOR']]) {
        expect(await dryRun('memo-service', ...command)).toMatch(/no permissions/);
        expect(await dryRun('auth-service', ...command)).toMatch(/no permissions/);
      }
      expect(await dryRun('memo-service', 'HGET', `{memo:${U}}:memos`, 'm1')).toBe('OK');
      await allRefused([
        () => memo.flushall(),
        () => memo.flushdb(),
        () => memo.keys('*'),
        () => memo.config('GET', 'maxmemory'),
        () => memo.call('ACL', 'LIST'),
        () => memo.get(`{memo:${U}}:naver`),
        () => memo.get(`user:${U}`),
        () => memo.zrange(`{memo:${U}}:sessions`, 0, -1),
        () => memo.hgetall('{oauth}:states'),
        () => memo.get(`ratelimit:logins:127.0.0.1`),
        () => memo.eval("return redis.call('GET', KEYS[1])", 1, `{memo:${U}}:naver`),
      ]);
    });

    it('lets auth-service at sessions and profiles and delete an account, not read memos', async () => {
      const auth = await as('auth-service', password('auth-service-password'));
      await auth.set(`user:${U}`, '{"name":"김"}');
      await auth.set(`{memo:${U}}:session:s1`, U);
      expect(await auth.zrange(`{memo:${U}}:tags`, 0, -1)).toEqual([]);
      // 회원 탈퇴: every key of the user, the original app's name under the bare id included.
      expect(await auth.get(U)).toBeNull();
      expect(await auth.unlink(`{memo:${U}}:memos`)).toBe(1);
      expect(await auth.unlink(`memo:${U}`)).toBe(1);
      await allRefused([
        () => auth.flushall(),
        () => auth.keys('*'),
        () => auth.scan('0'),
        () => auth.config('GET', 'maxmemory'),
        () => auth.hgetall(`{memo:${U}}:memos`),
        () => auth.lrange(`memo:${U}`, 0, -1),
        () => auth.hset(`{memo:${U}}:memos`, 'm2', '{}'),
        () => auth.set(U, 'not a name it may write'),
      ]);
    });

    it('keeps what the services’ scripts wrote across a restart (the AOF replays them as MULTI/EXEC)', async () => {
      const memo = await as('memo-service', password('memo-service-password'));
      const key = `{memo:${U}}:meta`;
      await memo.eval("redis.call('HSET', KEYS[1], 'a', '1'); redis.call('HSET', KEYS[1], 'b', '2')", 1, key);
      memo.disconnect();
      await server.stop();
      server = await startRedis({ binary: engine.binary, dir, port: server.port, extraArgs: userArgs() });
      const admin = await as('admin', password('redis-password'));
      expect(await admin.hgetall(key)).toEqual({ a: '1', b: '2' });
    });

    it('makes the same users as the test runs make for the services', async () => {
      const admin = await as('admin', password('redis-password'));
      const rulesOf = async (): Promise<Map<string, string>> => {
        const lines = (await admin.call('ACL', 'LIST')) as string[];
        // `user <name> on #<password's SHA-256> <rules>`: the rules without the password.
        return new Map(lines.map((line) => [line.split(' ')[1] ?? '', line.replace(/ #[0-9a-f]{64}/g, '')] as const));
      };
      const fromChart = await rulesOf();
      await makeServiceUsers(admin, { 'memo-service': 'p1', 'auth-service': 'p2' });
      const fromTests = await rulesOf();
      for (const user of SERVICE_USERS) {
        expect(fromChart.get(user)).toBeDefined();
        expect(fromTests.get(user)).toBe(fromChart.get(user));
      }
    });
  });
}
