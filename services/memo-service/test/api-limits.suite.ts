import { describe, expect, it } from 'vitest';
import { rateLimitPrefix } from '@memo/common';
import { memoKey } from '@memo/store';
import { startMemo } from '@memo/testing/services';
import { apiContext, type ApiMemo } from './api.context.js';

/**
 * memo-service's limits over HTTP, against one Redis (api.test.ts) and a Redis Cluster
 * (cluster.test.ts): write rates, quotas, metrics, and paths as a gateway rewrites them.
 */
export function apiLimitsSuite(env: () => NodeJS.ProcessEnv): void {
  const api = apiContext(env);
  const { keys, user, call, post, expectError } = api;

  describe('memo-service API limits', () => {
    it('limits writes per user with 429 and Retry-After, and refuses writes from other sites', async () => {
      const limited = await startMemo(keys, { ...env(), MEMO_WRITE_RATE_LIMIT: '3' });
      try {
        const { cookie, id } = await user();
        const other = await user();
        const send = (c: string): Promise<Response> =>
          fetch(limited.url, {
            method: 'POST',
            body: '{"text":"x"}',
            headers: { cookie: c, 'content-type': 'application/json' },
          });
        const statuses = [];
        for (let i = 0; i < 4; i++) statuses.push((await send(cookie)).status);
        expect(statuses).toEqual([201, 201, 201, 429]);
        const refused = await send(cookie);
        expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
        await expectError(refused, 429, 'rate_limited');
        expect(await api.redis.llen(memoKey(id))).toBe(3);
        expect((await send(other.cookie)).status).toBe(201);
        // Reads are not limited.
        expect((await fetch(limited.url, { headers: { cookie } })).status).toBe(200);
      } finally {
        await limited.close();
      }
      const { cookie, id } = await user();
      const cross = await post(cookie, '{"text":"csrf"}', 'application/json');
      expect(cross.status).toBe(201);
      const crossSite: Record<string, string>[] = [
        { 'sec-fetch-site': 'cross-site' },
        { origin: 'https://evil.example' },
      ];
      for (const headers of crossSite) {
        const res = await call('/', cookie, {
          method: 'POST',
          body: '{"text":"csrf"}',
          headers: { 'content-type': 'application/json', ...headers },
        });
        await expectError(res, 403, 'cross_origin');
      }
      expect(await api.redis.llen(memoKey(id))).toBe(1);
    });

    it('limits share links opened per client, and opens none while sharing is off', async () => {
      const { cookie } = await user();
      const memo = (await (await post(cookie, '{"text":"shared"}')).json()) as ApiMemo;
      const limited = await startMemo(keys, { ...env(), SHARE_OPEN_RATE_LIMIT: '3', SHARE_MAX: '1' });
      const off = await startMemo(keys, { ...env(), SHARING: 'false' });
      try {
        // This test's client starts uncounted (the other suite opened links from it too).
        for (const client of ['127.0.0.1', '::/64']) await api.redis.del(`${rateLimitPrefix('share-opens')}:${client}`);
        const made = await fetch(`${limited.url}/${memo.id}/share`, { method: 'POST', headers: { cookie } });
        const { token } = (await made.json()) as { token: string };
        // One link a person here: a second memo's is refused, saying how many.
        const other = (await (await post(cookie, '{"text":"second"}')).json()) as ApiMemo;
        const full = await fetch(`${limited.url}/${other.id}/share`, { method: 'POST', headers: { cookie } });
        expect(full.status).toBe(409);
        expect(await full.json()).toMatchObject({ error: { code: 'shares_full', max: 1 } });
        const statuses = [];
        for (let i = 0; i < 4; i++) statuses.push((await fetch(`${limited.url}/shared/${token}`)).status);
        expect(statuses).toEqual([200, 200, 200, 429]);
        const refused = await fetch(`${limited.url}/shared/${token}`);
        expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
        await expectError(refused, 429, 'rate_limited');
        // Off: the link does not open, and none can be made, listed or revoked.
        await expectError(await fetch(`${off.url}/shared/${token}`), 404, 'sharing_off');
        await expectError(
          await fetch(`${off.url}/${memo.id}/share`, { method: 'POST', headers: { cookie } }),
          404,
          'sharing_off',
        );
        await expectError(await fetch(`${off.url}/shares`, { headers: { cookie } }), 404, 'sharing_off');
        await expectError(
          await fetch(`${off.url}/${memo.id}/share`, { method: 'DELETE', headers: { cookie } }),
          404,
          'sharing_off',
        );
        // The page's limits say so, and the page shows no 공유 button.
        const page = (await (await fetch(off.url, { headers: { cookie } })).json()) as { limits: { sharing: boolean } };
        expect(page.limits.sharing).toBe(false);
        // Back on, it opens again (it was never revoked).
        expect((await fetch(`${api.memo.url}/shared/${token}`)).status).toBe(200);
        const metrics = await (await fetch(`${limited.adminUrl}/metrics`)).text();
        expect(metrics).toMatch(/memo_share_opens_total\{[^}]*outcome="shown"[^}]*\} 3/);
        expect(metrics).toMatch(/memo_share_opens_total\{[^}]*outcome="limited"[^}]*\} 2/);
        expect(metrics).toMatch(/memo_memos_total\{[^}]*action="shared"[^}]*\} 1/);
      } finally {
        await limited.close();
        await off.close();
      }
    });

    it('counts memos created, edited, set back and deleted, and times requests and Redis commands', async () => {
      const { cookie } = await user();
      const created = (await (await post(cookie, '{"text":"count me"}')).json()) as ApiMemo;
      await call(`/${created.id}`, cookie, {
        method: 'PUT',
        body: '{"text":"x"}',
        headers: { 'content-type': 'application/json' },
      });
      expect((await call(`/${created.id}/history`, cookie)).status).toBe(200);
      expect((await call(`/${created.id}/history/1/restore`, cookie, { method: 'POST' })).status).toBe(200);
      expect((await call(`/${created.id}/archive`, cookie, { method: 'POST' })).status).toBe(204);
      expect((await call(`/archive/${created.id}/restore`, cookie, { method: 'POST' })).status).toBe(200);
      await call(`/${created.id}`, cookie, { method: 'DELETE' });
      expect((await call('/', cookie)).status).toBe(200);
      const metrics = await (await fetch(`${api.memo.adminUrl}/metrics`)).text();
      /** The value of a sample with at least these labels, in whatever order they are printed. */
      const sample = (name: string, labels: Record<string, string>): number => {
        const line = metrics
          .split('\n')
          .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
        return Number(line?.split(' ').at(-1) ?? 0);
      };
      for (const action of ['created', 'edited', 'deleted', 'reverted', 'archived', 'unarchived']) {
        expect(sample('memo_memos_total', { action, service: 'memo-service' }), action).toBeGreaterThan(0);
      }
      expect(
        sample('http_request_duration_seconds_count', { method: 'POST', route: '/', status: '201' }),
      ).toBeGreaterThan(0);
      expect(
        sample('http_request_duration_seconds_count', { method: 'DELETE', route: '/:id', status: '204' }),
      ).toBeGreaterThan(0);
      // Scripts are timed by the name the store gave them, not as an anonymous evalsha.
      for (const command of ['memoAdd', 'memoReplace', 'memoDelete', 'memoPage', 'memoHistory']) {
        expect(sample('redis_command_duration_seconds_count', { command }), command).toBeGreaterThan(0);
      }
      expect(metrics).toMatch(/process_resident_memory_bytes/);
      expect((await fetch(`${api.memo.adminUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${api.memo.adminUrl}/readyz`)).status).toBe(200);
    });

    it('refuses writes past a quota with 409 or 413 quota_exceeded, saying what is left, storing nothing', async () => {
      const capped = await startMemo(keys, {
        ...env(),
        MEMO_MAX_COUNT: '2',
        MEMO_MAX_BYTES: '1024',
        MEMO_MAX_LENGTH: '1000',
      });
      try {
        const { cookie, id } = await user();
        const write = (method: string, path: string, text: string): Promise<Response> =>
          fetch(`${capped.url}${path}`, {
            method,
            body: JSON.stringify({ text }),
            headers: { cookie, 'content-type': 'application/json' },
          });
        const first = (await (await write('POST', '/', '첫 메모')).json()) as ApiMemo;
        expect((await write('POST', '/', 'second')).status).toBe(201);
        const full = await write('POST', '/', 'third');
        expect(full.status).toBe(409);
        const body = (await full.json()) as {
          error: { code: string; message: string; quota: Record<string, unknown> };
        };
        expect(body.error.code).toBe('quota_exceeded');
        expect(body.error.message).toMatch(/2 memos/);
        const bytes = Buffer.byteLength('첫 메모') + Buffer.byteLength('second');
        expect(body.error.quota).toEqual({
          reached: 'memos',
          memos: { used: 2, limit: 2, remaining: 0 },
          bytes: { used: bytes, limit: 1024, remaining: 1024 - bytes },
        });
        // An edit that would not fit in the bytes left: 413, the memo unchanged.
        const tooBig = await write('PUT', `/${first.id}`, '가'.repeat(400));
        expect(tooBig.status).toBe(413);
        expect(((await tooBig.json()) as { error: { quota: { reached: string } } }).error.quota.reached).toBe('bytes');
        const page = (await (await fetch(capped.url, { headers: { cookie } })).json()) as {
          memos: ApiMemo[];
          usage: { memos: { used: number; limit: number }; bytes: { used: number; limit: number } };
        };
        expect(page.memos.map((m) => m.text)).toEqual(['second', '첫 메모']);
        expect(page.usage).toEqual({ memos: { used: 2, limit: 2 }, bytes: { used: bytes, limit: 1024 } });
        expect(await api.redis.llen(memoKey(id))).toBe(2);
        // A deleted memo waits in the trash, still counted; emptying the trash makes room.
        expect((await fetch(`${capped.url}/${first.id}`, { method: 'DELETE', headers: { cookie } })).status).toBe(204);
        const still = await write('POST', '/', 'third');
        expect(still.status).toBe(409);
        expect(((await still.json()) as { error: { message: string } }).error.message).toMatch(/empty the trash/);
        const emptied = await fetch(`${capped.url}/trash/empty`, { method: 'POST', headers: { cookie } });
        expect(await emptied.json()).toEqual({ deleted: 1 });
        expect((await write('POST', '/', 'third')).status).toBe(201);
      } finally {
        await capped.close();
      }
    });

    it('treats a leading // as / (gateway prefix rewrites)', async () => {
      const { cookie } = await user();
      const res = await call('//', cookie);
      expect(res.status).toBe(200);
    });
  });
}
