import { describe, expect, it } from 'vitest';
import { legacySessionKey, sessionKey, sessionsKey } from '@memo/common';
import { memoKey } from '@memo/store';
import { apiContext, type ApiMemo } from './api.context.js';

/**
 * memo-service over HTTP, run against one Redis (api.test.ts) and a Redis Cluster
 * (cluster.test.ts): `env` says where Redis is. Bodies, the memo routes, tags, idempotency,
 * paging and bad input; the limits are api-limits.suite.ts's.
 */
export function apiSuite(env: () => NodeJS.ProcessEnv): void {
  const api = apiContext(env);
  const { user, call, post, expectError } = api;

  describe('memo-service API', () => {
    it('answers alike whether a body comes with a Content-Length or chunked', async () => {
      const { id, cookie } = await user();
      const send = (body: Uint8Array, chunked: boolean): Promise<Response> =>
        fetch(`${api.memo.url}/`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json' },
          body: chunked ? new Blob([new Uint8Array(body)]).stream() : new Uint8Array(body),
          duplex: 'half',
        } as RequestInit);
      const bodies: [string, Uint8Array][] = [
        ['valid', Buffer.from(JSON.stringify({ text: '빠른 길 🙂' }))],
        ['not JSON', Buffer.from('{"text": ')],
        ['a bare string', Buffer.from('"text"')],
        ['no text', Buffer.from('{}')],
        ['a number', Buffer.from('{"text": 1}')],
        ['blank', Buffer.from('{"text": "  "}')],
        ['too long', Buffer.from(JSON.stringify({ text: 'x'.repeat(51) }))],
        ['prototype keys', Buffer.from('{"__proto__": {"text": "x"}, "constructor": 1}')],
        ['not UTF-8', Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
        ['an array', Buffer.from('[1, 2]')],
      ];
      const seen: Record<string, [number, string, number, string]> = {};
      for (const [name, body] of bodies) {
        const fast = await send(body, false);
        const slow = await send(body, true);
        const code = async (res: Response): Promise<string> => {
          const json = (await res.json()) as { error?: { code: string }; text?: string };
          return json.error?.code ?? `text:${json.text ?? ''}`;
        };
        seen[name] = [fast.status, await code(fast), slow.status, await code(slow)];
        for (const res of [fast, slow]) {
          expect(res.headers.get('content-security-policy'), name).toContain("frame-ancestors 'none'");
          expect(res.headers.get('x-content-type-options'), name).toBe('nosniff');
          expect(res.headers.get('x-request-id'), name).toMatch(/^[\w-]{8,}$/);
        }
      }
      expect(seen).toEqual({
        valid: [201, 'text:빠른 길 🙂', 201, 'text:빠른 길 🙂'],
        'not JSON': [400, 'invalid_json', 400, 'invalid_json'],
        'a bare string': [400, 'invalid_json', 400, 'invalid_json'],
        'no text': [400, 'text_required', 400, 'text_required'],
        'a number': [400, 'text_not_string', 400, 'text_not_string'],
        blank: [400, 'text_empty', 400, 'text_empty'],
        'too long': [400, 'text_too_long', 400, 'text_too_long'],
        'prototype keys': [400, 'text_required', 400, 'text_required'],
        'not UTF-8': [400, 'invalid_encoding', 400, 'invalid_encoding'],
        'an array': [400, 'invalid_body', 400, 'invalid_body'],
      });
      // Exactly the two valid writes were stored.
      expect(await api.redis.llen(memoKey(id))).toBe(2);
      // And the same refusals in the same order: no session first, other sites refused.
      const anonymous = await fetch(`${api.memo.url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"text": ',
      });
      await expectError(anonymous, 401, 'unauthorized');
      await expectError(
        await call('/', cookie, {
          method: 'POST',
          body: JSON.stringify({ text: 'x' }),
          headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
        }),
        403,
        'cross_origin',
      );
      expect(await api.redis.llen(memoKey(id))).toBe(2);
    });

    it('adds, lists newest first with paging, edits and deletes', async () => {
      const { cookie } = await user();
      const created: ApiMemo[] = [];
      for (const text of ['one', 'two', 'three', 'four']) {
        const res = await post(cookie, JSON.stringify({ text }));
        expect(res.status).toBe(201);
        created.push((await res.json()) as ApiMemo);
      }
      expect(created[0]).toMatchObject({ text: 'one', updatedAt: null });
      expect(Date.parse(created[0]?.createdAt ?? '')).toBeGreaterThan(Date.now() - 60_000);

      const first = (await (await call('/', cookie)).json()) as { memos: ApiMemo[]; nextCursor: string | null };
      expect(first.memos.map((m) => m.text)).toEqual(['four', 'three', 'two']);
      expect(first.nextCursor).not.toBeNull();
      const second = (await (await call(`/?cursor=${first.nextCursor ?? ''}`, cookie)).json()) as {
        memos: ApiMemo[];
        nextCursor: string | null;
      };
      expect(second).toMatchObject({ memos: [created[0]], nextCursor: null });

      const id = created[1]?.id ?? '';
      const put = await call(`/${id}`, cookie, {
        method: 'PUT',
        body: JSON.stringify({ text: 'TWO' }),
        headers: { 'content-type': 'application/json' },
      });
      expect(put.status).toBe(200);
      expect(await put.json()).toMatchObject({ id, text: 'TWO', createdAt: created[1]?.createdAt });
      const del = await call(`/${id}`, cookie, { method: 'DELETE' });
      expect(del.status).toBe(204);
      await expectError(await call(`/${id}`, cookie, { method: 'DELETE' }), 404, 'not_found');
      const all = (await (await call('/?limit=5', cookie)).json()) as { memos: ApiMemo[] };
      expect(all.memos.map((m) => m.text)).toEqual(['four', 'three', 'one']);
    });

    it('lists tags with counts, pages the memos of a tag, and renames a tag in every memo, safely twice', async () => {
      const { cookie } = await user();
      for (const text of ['#일 하나', '#일/회의 둘', '#Home 셋', '#일 넷', '#일상 다섯']) {
        expect((await post(cookie, JSON.stringify({ text }))).status).toBe(201);
      }
      const tags = async (): Promise<unknown> =>
        ((await (await call('/tags', cookie)).json()) as { tags: unknown }).tags;
      expect(await tags()).toEqual([
        { tag: '일', count: 3 },
        { tag: 'home', count: 1 },
        { tag: '일/회의', count: 1 },
        { tag: '일상', count: 1 },
      ]);
      // Pages of 3 (PAGE_DEFAULT), newest first; the tag in any case and width.
      const first = (await (await call(`/?tag=${encodeURIComponent('#일')}`, cookie)).json()) as {
        memos: ApiMemo[];
        nextCursor: string | null;
      };
      expect(first.memos.map((m) => m.text)).toEqual(['#일 넷', '#일/회의 둘', '#일 하나']);
      expect(first.nextCursor).toBeNull();
      const two = (await (await call('/?tag=%EC%9D%BC&limit=2', cookie)).json()) as {
        memos: ApiMemo[];
        nextCursor: string;
      };
      expect(two.nextCursor).toMatch(/^t\d+$/);
      const rest = (await (await call(`/?tag=%EC%9D%BC&limit=2&cursor=${two.nextCursor}`, cookie)).json()) as {
        memos: ApiMemo[];
        nextCursor: string | null;
      };
      expect(rest).toMatchObject({ memos: [{ text: '#일 하나' }], nextCursor: null });
      expect(((await (await call('/?tag=HOME', cookie)).json()) as { memos: ApiMemo[] }).memos).toHaveLength(1);
      await expectError(await call('/?tag=a%20b', cookie), 400, 'tag_invalid');
      await expectError(await call('/?tag=123', cookie), 400, 'tag_invalid');
      await expectError(await call('/?tag=a&cursor=3.4', cookie), 400, 'invalid_cursor');

      const rename = (body: unknown): Promise<Response> =>
        post(cookie, JSON.stringify(body), 'application/json', '/tags/rename');
      const renamed = await rename({ from: '일', to: '#업무' });
      expect(renamed.status).toBe(200);
      expect(await renamed.json()).toEqual({ from: '일', to: '업무', renamed: 3, skipped: 0 });
      const texts = ((await (await call('/?limit=5', cookie)).json()) as { memos: ApiMemo[] }).memos.map((m) => m.text);
      expect(texts).toEqual(['#일상 다섯', '#업무 넷', '#Home 셋', '#업무/회의 둘', '#업무 하나']);
      expect(await (await rename({ from: '일', to: '업무' })).json()).toEqual({
        from: '일',
        to: '업무',
        renamed: 0,
        skipped: 0,
      });
      await expectError(await rename({ from: '일' }), 400, 'to_required');
      // A field the description does not name: the schema says no (the route never looks).
      await expectError(await rename({ from: '일', to: '업무', force: true }), 400, 'invalid_body');
      await expectError(await rename({ from: '일', to: 'a b' }), 400, 'tag_invalid');
      await expectError(await rename(['일', '업무']), 400, 'invalid_body');
      await expectError(await call('/tags', 'userId=forged'), 401, 'unauthorized');
      await expectError(
        await call('/tags/rename', 'userId=forged', {
          method: 'POST',
          body: '{"from":"a","to":"b"}',
          headers: { 'content-type': 'application/json' },
        }),
        401,
        'unauthorized',
      );
      expect((await tags()) as unknown[]).toContainEqual({ tag: '업무', count: 3 });
    });

    it('keeps a deleted memo in the trash: lists it, restores it at the top, deletes it for good, empties', async () => {
      const { cookie } = await user();
      const other = await user();
      const add = async (text: string): Promise<ApiMemo> =>
        (await (await post(cookie, JSON.stringify({ text }))).json()) as ApiMemo;
      const a = await add('첫째 #일');
      const b = await add('둘째');
      await add('셋째');
      for (const memo of [a, b]) expect((await call(`/${memo.id}`, cookie, { method: 'DELETE' })).status).toBe(204);
      interface TrashBody {
        memos: (ApiMemo & { deletedAt: string })[];
        total: number;
        nextCursor: string | null;
        days: number;
      }
      const trash = async (query = '', who = cookie): Promise<TrashBody> => {
        const res = await call(`/trash${query}`, who);
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('no-store');
        return (await res.json()) as TrashBody;
      };
      const first = await trash('?limit=1');
      expect(first).toMatchObject({ total: 2, nextCursor: '1', days: 30, memos: [{ id: b.id, text: '둘째' }] });
      expect((await trash('?limit=1&cursor=1')).memos.map((m) => m.id)).toEqual([a.id]);
      // Nothing of one person's trash reaches another.
      expect(await trash('', other.cookie)).toEqual({ memos: [], total: 0, nextCursor: null, days: 30 });
      await expectError(await call(`/trash/${a.id}/restore`, other.cookie, { method: 'POST' }), 404, 'not_found');
      await expectError(await call(`/trash/${a.id}`, other.cookie, { method: 'DELETE' }), 404, 'not_found');
      // The usage counts the trash until it leaves.
      const usage = async (): Promise<number> =>
        ((await (await call('/', cookie)).json()) as { usage: { memos: { used: number } } }).usage.memos.used;
      expect(await usage()).toBe(3);

      const restored = await call(`/trash/${a.id}/restore`, cookie, { method: 'POST' });
      expect(restored.status).toBe(200);
      expect(await restored.json()).toEqual(a);
      const page = (await (await call('/', cookie)).json()) as { memos: ApiMemo[] };
      expect(page.memos.map((m) => m.text)).toEqual(['첫째 #일', '셋째']);
      expect(((await (await call('/?tag=일', cookie)).json()) as { memos: ApiMemo[] }).memos.map((m) => m.id)).toEqual([
        a.id,
      ]);
      await expectError(await call(`/trash/${a.id}/restore`, cookie, { method: 'POST' }), 404, 'not_found');
      await expectError(await call('/trash/not-an-id/restore', cookie, { method: 'POST' }), 404, 'not_found');
      await expectError(await call('/trash?cursor=x', cookie), 400, 'invalid_cursor');
      await expectError(await call('/trash?limit=0', cookie), 400, 'invalid_limit');

      expect((await call(`/trash/${b.id}`, cookie, { method: 'DELETE' })).status).toBe(204);
      await expectError(await call(`/trash/${b.id}`, cookie, { method: 'DELETE' }), 404, 'not_found');
      expect(await usage()).toBe(2);
      await call(`/${a.id}`, cookie, { method: 'DELETE' });
      const emptied = await call('/trash/empty', cookie, { method: 'POST' });
      expect(await emptied.json()).toEqual({ deleted: 1 });
      expect(await usage()).toBe(1);
      expect(await trash()).toEqual({ memos: [], total: 0, nextCursor: null, days: 30 });
      await expectError(await call('/trash', 'userId=forged'), 401, 'unauthorized');
    });

    it('shares a memo read only with anyone, lists and revokes its link, and ends it with the memo', async () => {
      const { cookie } = await user();
      const other = await user();
      const add = async (text: string): Promise<ApiMemo> =>
        (await (await post(cookie, JSON.stringify({ text }))).json()) as ApiMemo;
      const a = await add('공유할 메모 #비밀태그');
      const b = await add('지울 메모');
      const share = async (id: string, body?: string, who = cookie): Promise<Response> =>
        call(`/${id}/share`, who, {
          method: 'POST',
          ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
        });
      const made = await share(a.id);
      expect(made.status).toBe(201);
      expect(made.headers.get('cache-control')).toBe('no-store');
      const link = (await made.json()) as { token: string; memoId: string; expiresAt: string | null };
      expect(link).toMatchObject({ memoId: a.id, expiresAt: null });
      const open = (token: string, headers: Record<string, string> = {}): Promise<Response> =>
        fetch(`${api.memo.url}/shared/${token}`, { headers });
      // Logged out: the memo, nothing else of its owner, no cookie, not indexed, no referrer.
      const opened = await open(link.token);
      expect(opened.status).toBe(200);
      expect(await opened.json()).toEqual({
        text: a.text,
        createdAt: a.createdAt,
        updatedAt: a.updatedAt,
        expiresAt: null,
      });
      expect(opened.headers.get('set-cookie')).toBeNull();
      expect(opened.headers.get('referrer-policy')).toBe('no-referrer');
      expect(opened.headers.get('x-robots-tag')).toMatch(/noindex/);
      expect(opened.headers.get('cache-control')).toBe('no-store');
      // Another person's session changes nothing.
      expect((await open(link.token, { cookie: other.cookie })).status).toBe(200);
      // An expiry in days; a bad one is refused, naming it.
      const dated = (await (await share(b.id, '{"expiresInDays":7}')).json()) as { expiresAt: string };
      expect(Date.parse(dated.expiresAt) - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);
      for (const bad of [
        '{"expiresInDays":0}',
        '{"expiresInDays":366}',
        '{"expiresInDays":1.5}',
        '{"expiresInDays":"7"}',
      ]) {
        await expectError(await share(b.id, bad), 400, 'invalid_expiry');
      }
      await expectError(await share(b.id, '{"days":7}'), 400, 'invalid_body');
      // The owner's list, the newest first; nobody else's.
      const list = (await (await call('/shares', cookie)).json()) as { links: { memoId: string; title: string }[] };
      expect(list.links.map((l) => [l.memoId, l.title])).toEqual([
        [b.id, '지울 메모'],
        [a.id, '공유할 메모 #비밀태그'],
      ]);
      expect(await (await call('/shares', other.cookie)).json()).toEqual({ links: [], max: 100 });
      await expectError(await share(a.id, undefined, other.cookie), 404, 'not_found');
      await expectError(await call(`/${a.id}/share`, other.cookie, { method: 'DELETE' }), 404, 'not_found');
      await expectError(await call('/shares', 'userId=forged'), 401, 'unauthorized');
      // An edit shows on the link.
      await call(`/${a.id}`, cookie, {
        method: 'PUT',
        body: '{"text":"고친 메모"}',
        headers: { 'content-type': 'application/json' },
      });
      expect(((await (await open(link.token)).json()) as { text: string }).text).toBe('고친 메모');
      // Revoked: gone at once, as a link that never was.
      expect((await call(`/${a.id}/share`, cookie, { method: 'DELETE' })).status).toBe(204);
      await expectError(await open(link.token), 404, 'share_not_found');
      await expectError(await open('A'.repeat(24)), 404, 'share_not_found');
      await expectError(await open('not-a-token'), 404, 'share_not_found');
      await expectError(await call(`/${a.id}/share`, cookie, { method: 'DELETE' }), 404, 'not_found');
      // Deleting (to the trash) ends a link, and restoring does not bring it back.
      const linkB = (dated as unknown as { token: string }).token;
      expect((await open(linkB)).status).toBe(200);
      await call(`/${b.id}`, cookie, { method: 'DELETE' });
      await expectError(await open(linkB), 404, 'share_not_found');
      await call(`/trash/${b.id}/restore`, cookie, { method: 'POST' });
      await expectError(await open(linkB), 404, 'share_not_found');
      expect(await (await call('/shares', cookie)).json()).toEqual({ links: [], max: 100 });
    });

    it('archives a memo off the list, lists the archive (by tag too), exports it, and puts it back', async () => {
      const { cookie } = await user();
      const other = await user();
      const add = async (text: string): Promise<ApiMemo> =>
        (await (await post(cookie, JSON.stringify({ text }))).json()) as ApiMemo;
      const a = await add('제주 여행 #여행/제주');
      const b = await add('회의록 #일');
      await add('남은 메모');
      for (const memo of [a, b]) {
        expect((await call(`/${memo.id}/archive`, cookie, { method: 'POST' })).status).toBe(204);
      }
      interface ArchiveBody {
        memos: (ApiMemo & { archivedAt: string })[];
        total: number;
        nextCursor: string | null;
      }
      const archive = async (query = '', who = cookie): Promise<ArchiveBody> => {
        const res = await call(`/archive${query}`, who);
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('no-store');
        return (await res.json()) as ArchiveBody;
      };
      expect(await archive('?limit=1')).toMatchObject({ total: 2, nextCursor: '1', memos: [{ id: b.id }] });
      expect((await archive('?limit=1&cursor=1')).memos.map((m) => m.id)).toEqual([a.id]);
      // On request, a tag's archived memos (and those of the tags under it).
      expect((await archive(`?tag=${encodeURIComponent('#여행')}`)).memos.map((m) => m.id)).toEqual([a.id]);
      expect((await archive(`?tag=${encodeURIComponent('일')}`)).memos.map((m) => m.id)).toEqual([b.id]);
      await expectError(await call('/archive?tag=%20', cookie), 400, 'tag_invalid');
      await expectError(await call('/archive?cursor=x', cookie), 400, 'invalid_cursor');
      // Off the list and its tags, still counted; nobody else sees or takes it.
      const page = (await (await call('/', cookie)).json()) as { memos: ApiMemo[]; usage: { memos: { used: number } } };
      expect(page.memos.map((m) => m.text)).toEqual(['남은 메모']);
      expect(page.usage.memos.used).toBe(3);
      expect(((await (await call('/tags', cookie)).json()) as { tags: unknown[] }).tags).toEqual([]);
      expect(await archive('', other.cookie)).toEqual({ memos: [], total: 0, nextCursor: null });
      await expectError(await call(`/archive/${a.id}/restore`, other.cookie, { method: 'POST' }), 404, 'not_found');
      await expectError(await call(`/${a.id}/archive`, other.cookie, { method: 'POST' }), 404, 'not_found');
      await expectError(await call(`/${a.id}/archive`, cookie, { method: 'POST' }), 404, 'not_found');
      // An export carries archived memos, after the others, saying so.
      const exported = (await (await call('/export', cookie)).json()) as {
        memos: (ApiMemo & { archivedAt?: string })[];
      };
      expect(exported.memos.map((m) => [m.text, typeof m.archivedAt])).toEqual([
        ['남은 메모', 'undefined'],
        ['회의록 #일', 'string'],
        ['제주 여행 #여행/제주', 'string'],
      ]);

      const back = await call(`/archive/${a.id}/restore`, cookie, { method: 'POST' });
      expect(back.status).toBe(200);
      expect(await back.json()).toEqual(a);
      const after = (await (await call('/', cookie)).json()) as { memos: ApiMemo[] };
      expect(after.memos.map((m) => m.text)).toEqual(['제주 여행 #여행/제주', '남은 메모']);
      expect(
        ((await (await call('/?tag=여행', cookie)).json()) as { memos: ApiMemo[] }).memos.map((m) => m.id),
      ).toEqual([a.id]);
      await expectError(await call(`/archive/${a.id}/restore`, cookie, { method: 'POST' }), 404, 'not_found');
      expect((await archive()).total).toBe(1);
      // Deleted from the archive: to the trash, as a delete from the list.
      await expectError(await call(`/archive/${b.id}`, other.cookie, { method: 'DELETE' }), 404, 'not_found');
      expect((await call(`/archive/${b.id}`, cookie, { method: 'DELETE' })).status).toBe(204);
      await expectError(await call(`/archive/${b.id}`, cookie, { method: 'DELETE' }), 404, 'not_found');
      expect(await archive()).toEqual({ memos: [], total: 0, nextCursor: null });
      const trashed = (await (await call('/trash', cookie)).json()) as { memos: ApiMemo[] };
      expect(trashed.memos.map((m) => m.id)).toEqual([b.id]);
    });

    it('keeps the texts edits replaced: lists them, makes one the text again, forgets them', async () => {
      const { cookie } = await user();
      const other = await user();
      const memo = (await (await post(cookie, JSON.stringify({ text: '회의 #일' }))).json()) as ApiMemo;
      const edit = async (text: string): Promise<void> => {
        const res = await call(`/${memo.id}`, cookie, {
          method: 'PUT',
          body: JSON.stringify({ text }),
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status).toBe(200);
      };
      await edit('회의는 3시');
      await edit('회의는 4시로 바뀜');
      interface HistoryBody {
        memo: ApiMemo;
        versions: { n: number; text: string; at: string | null; replacedAt: string }[];
        keep: number;
      }
      const history = async (who = cookie): Promise<HistoryBody> => {
        const res = await call(`/${memo.id}/history`, who);
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('no-store');
        return (await res.json()) as HistoryBody;
      };
      const before = await history();
      expect(before.memo.text).toBe('회의는 4시로 바뀜');
      expect(before.keep).toBe(20);
      expect(before.versions.map((v) => [v.n, v.text])).toEqual([
        [2, '회의는 3시'],
        [1, '회의 #일'],
      ]);
      expect(before.versions[1]?.at).toBe(memo.createdAt);
      // The page's limits say how many versions are kept.
      expect(((await (await call('/', cookie)).json()) as { limits: object }).limits).toMatchObject({
        historyVersions: 20,
        sharing: true,
      });
      // Nothing of one person's history reaches another.
      await expectError(await call(`/${memo.id}/history`, other.cookie), 404, 'not_found');
      await expectError(
        await call(`/${memo.id}/history/1/restore`, other.cookie, { method: 'POST' }),
        404,
        'not_found',
      );
      await expectError(await call('/not-an-id/history', cookie), 404, 'not_found');
      await expectError(await call(`/${memo.id}/history/0/restore`, cookie, { method: 'POST' }), 404, 'not_found');
      await expectError(await call(`/${memo.id}/history/9/restore`, cookie, { method: 'POST' }), 404, 'not_found');
      await expectError(await call(`/${memo.id}/history`, 'userId=forged'), 401, 'unauthorized');

      const restored = await call(`/${memo.id}/history/1/restore`, cookie, { method: 'POST' });
      expect(restored.status).toBe(200);
      expect(await restored.json()).toMatchObject({ id: memo.id, text: '회의 #일' });
      expect((await history()).versions.map((v) => v.text)).toEqual(['회의는 4시로 바뀜', '회의는 3시', '회의 #일']);
      expect(((await (await call('/?tag=일', cookie)).json()) as { memos: ApiMemo[] }).memos.map((m) => m.id)).toEqual([
        memo.id,
      ]);
      const bytes = async (): Promise<number> =>
        ((await (await call('/', cookie)).json()) as { usage: { bytes: { used: number } } }).usage.bytes.used;
      const withVersions = await bytes();
      const forgotten = await call(`/${memo.id}/history`, cookie, { method: 'DELETE' });
      expect(await forgotten.json()).toEqual({ forgotten: 3 });
      expect((await history()).versions).toEqual([]);
      expect(await bytes()).toBe(withVersions - Buffer.byteLength('회의는 4시로 바뀜회의는 3시회의 #일'));
    });

    it('adds once per Idempotency-Key: a retry answers with the same memo, or 410 once it was deleted', async () => {
      const { cookie } = await user();
      const send = (key: string, text = '오프라인에서 쓴 메모'): Promise<Response> =>
        call('/', cookie, {
          method: 'POST',
          body: JSON.stringify({ text }),
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
        });
      const first = await send('k-0123456789abcdef');
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const made = (await first.json()) as ApiMemo;
      const again = await send('k-0123456789abcdef');
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await again.json()).toEqual(made);
      // Concurrent retries of one key: still one memo.
      const burst = await Promise.all([send('k-burst-000001'), send('k-burst-000001'), send('k-burst-000001')]);
      const ids = await Promise.all(burst.map(async (r) => ((await r.json()) as ApiMemo).id));
      expect(new Set(ids).size).toBe(1);
      const listed = ((await (await call('/?limit=5', cookie)).json()) as { memos: ApiMemo[] }).memos;
      expect(listed.map((m) => m.id)).toEqual([ids[0], made.id]);
      await expectError(await send('short'), 400, 'invalid_idempotency_key');
      await expectError(await send('has space in it'), 400, 'invalid_idempotency_key');
      expect(await call(`/${made.id}`, cookie, { method: 'DELETE' })).toHaveProperty('status', 204);
      await expectError(await send('k-0123456789abcdef'), 410, 'memo_deleted');
      expect(((await (await call('/?limit=5', cookie)).json()) as { memos: ApiMemo[] }).memos).toHaveLength(1);
    });

    it('caps limit at the maximum and rejects bad paging input', async () => {
      const { cookie, id } = await user();
      await api.redis.lpush(memoKey(id), ...Array.from({ length: 8 }, (_, i) => `m${i}`));
      const capped = (await (await call('/?limit=1000', cookie)).json()) as { memos: ApiMemo[] };
      expect(capped.memos).toHaveLength(5);
      for (const q of ['limit=0', 'limit=-1', 'limit=abc', 'limit=1&limit=2', 'limit=99999']) {
        await expectError(await call(`/?${q}`, cookie), 400, 'invalid_limit');
      }
      for (const q of ['cursor=abc', 'cursor=-3', 'cursor=0', 'cursor=1e3']) {
        await expectError(await call(`/?${q}`, cookie), 400, 'invalid_cursor');
      }
    });

    it('rejects bad input with a JSON error and stores nothing', async () => {
      const { cookie, id } = await user();
      const cases: [string, string, number, string][] = [
        ['{}', 'application/json', 400, 'text_required'],
        ['{"text": 5}', 'application/json', 400, 'text_not_string'],
        ['{"text": null}', 'application/json', 400, 'text_not_string'],
        ['{"text": ["a"]}', 'application/json', 400, 'text_not_string'],
        ['{"text": ""}', 'application/json', 400, 'text_empty'],
        ['{"text": "  \\n\\t "}', 'application/json', 400, 'text_empty'],
        [JSON.stringify({ text: 'x'.repeat(51) }), 'application/json', 400, 'text_too_long'],
        [JSON.stringify({ text: '가'.repeat(51) }), 'application/json', 400, 'text_too_long'],
        [JSON.stringify({ text: 'x'.repeat(3000) }), 'application/json', 413, 'payload_too_large'],
        ['{"text": "a"', 'application/json', 400, 'invalid_json'],
        ['"just a string"', 'application/json', 400, 'invalid_json'],
        ['[1,2]', 'application/json', 400, 'invalid_body'],
        ['{"text": "\\ud800"}', 'application/json', 400, 'text_malformed'],
        ['text=hello', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
        ['{"text": "hello"}', 'text/plain', 415, 'unsupported_media_type'],
      ];
      for (const [body, type, status, code] of cases) {
        await expectError(await post(cookie, body, type), status, code);
      }
      await expectError(await call('/', cookie, { method: 'POST' }), 400, 'invalid_body');
      expect(await api.redis.llen(memoKey(id))).toBe(0);
    });

    it('accepts exactly the limit, counted in characters, and round-trips Unicode byte for byte', async () => {
      const { cookie } = await user();
      const text = '🙂'.repeat(25) + '한'.repeat(25);
      const res = await post(cookie, JSON.stringify({ text }));
      expect(res.status).toBe(201);
      const raw = Buffer.from(await res.arrayBuffer());
      expect(raw.includes(Buffer.from(text, 'utf8'))).toBe(true);
      const list = (await (await call('/', cookie)).json()) as { memos: ApiMemo[] };
      expect(list.memos[0]?.text).toBe(text);
      const html = '<script>alert(1)</script>';
      const stored = (await (await post(cookie, JSON.stringify({ text: html }))).json()) as ApiMemo;
      expect(stored.text).toBe(html);
    });

    it('answers 401 without a valid session, and 404 for unknown or foreign ids', async () => {
      const owner = await user();
      const stranger = await user();
      const created = (await (await post(owner.cookie, JSON.stringify({ text: 'mine' }))).json()) as ApiMemo;
      for (const cookie of ['', 'userId=', `userId=${owner.id}`, 'userId=a.b.c']) {
        await expectError(await call('/', cookie), 401, 'unauthorized');
        await expectError(await post(cookie, '{"text":"x"}'), 401, 'unauthorized');
      }
      const body = { method: 'PUT', body: '{"text":"stolen"}', headers: { 'content-type': 'application/json' } };
      await expectError(await call(`/${created.id}`, stranger.cookie, body), 404, 'not_found');
      await expectError(await call(`/${created.id}`, stranger.cookie, { method: 'DELETE' }), 404, 'not_found');
      await expectError(await call('/not-an-id', owner.cookie, { method: 'DELETE' }), 404, 'not_found');
      await expectError(await call('/m0000000000000000', owner.cookie, body), 404, 'not_found');
      const list = (await (await call('/', owner.cookie)).json()) as { memos: ApiMemo[] };
      expect(list.memos).toEqual([created]);
    });

    it('answers an ended session 401 before any other refusal of an add, storing nothing', async () => {
      // The add asks whether the session lives in its own script; a refusal before it asks first.
      const ended = await user();
      const [sid = ''] = await api.redis.zrange(sessionsKey(ended.id), 0, -1);
      await api.redis.del(sessionKey(ended.id, sid));
      await expectError(await post(ended.cookie, '{"text":"after logout"}'), 401, 'unauthorized');
      await expectError(await post(ended.cookie, '{"text": '), 401, 'unauthorized');
      await expectError(await post(ended.cookie, '{"text":"x"}', 'text/plain'), 401, 'unauthorized');
      await expectError(await post(ended.cookie, '{"txt":"x"}'), 401, 'unauthorized');
      await expectError(await post(ended.cookie, JSON.stringify({ text: 'x'.repeat(51) })), 401, 'unauthorized');
      const keyed = { method: 'POST', body: '{"text":"x"}', headers: { 'content-type': 'application/json' } };
      await expectError(
        await call('/', ended.cookie, { ...keyed, headers: { ...keyed.headers, 'idempotency-key': '!' } }),
        401,
        'unauthorized',
      );
      expect(await api.redis.exists(memoKey(ended.id))).toBe(0);
      // A live one gets the refusals themselves.
      const live = await user();
      await expectError(await post(live.cookie, '{"text": '), 400, 'invalid_json');
      await expectError(await post(live.cookie, '{"text":"x"}', 'text/plain'), 415, 'unsupported_media_type');
      await expectError(await post(live.cookie, JSON.stringify({ text: 'x'.repeat(51) })), 400, 'text_too_long');
      // A session from before sessions moved into the user's slot still adds.
      const old = await user();
      const [oldSid = ''] = await api.redis.zrange(sessionsKey(old.id), 0, -1);
      await api.redis.del(sessionKey(old.id, oldSid));
      await api.redis.set(legacySessionKey(oldSid), old.id, 'EX', 60);
      expect((await post(old.cookie, '{"text":"from an old session"}')).status).toBe(201);
      expect(await api.redis.llen(memoKey(old.id))).toBe(1);
    });
  });
}
