import fc from 'fast-check';
import { startService, type ServiceHandle } from '@memo/common';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebService } from '../../services/web-service/src/app.js';
import { memoKey } from '@memo/store';
import { restoreMemos, snapshotMemos, storeOn } from '@memo/testing/memos';
import { redisClient, sessionKeys, uniqueUser } from '@memo/testing/env';
import { sessionCookie, startAuth, startMemo, startStub } from '@memo/testing/services';

/**
 * Random and hostile requests at every route. The answer is always a 2xx, 3xx or 4xx (a 4xx
 * in the JSON error shape), never a 5xx, a hang or a crash; a refused request changes nothing
 * the user has stored; a redirect never leaves the site.
 */

const keys = sessionKeys();
let memo: ServiceHandle;
/** The same service with the fast lane off: express serves every route. */
let memoExpress: ServiceHandle;
let auth: ServiceHandle;
let stub: ServiceHandle;
let web: ServiceHandle;
let redis: Redis;
let user: string;
let cookie: string;

beforeAll(async () => {
  stub = await startStub();
  [memo, memoExpress, auth, web] = await Promise.all([
    startMemo(keys, { MEMO_MAX_LENGTH: '200', BODY_LIMIT_BYTES: '4096' }),
    startMemo(keys, { MEMO_MAX_LENGTH: '200', BODY_LIMIT_BYTES: '4096', FAST_LANE: 'false' }),
    startAuth(keys, stub.url),
    startService(buildWebService({ HOST: '127.0.0.1', PORT: '0', ADMIN_PORT: '0', LOG_LEVEL: 'silent' })),
  ]);
  redis = redisClient();
  user = uniqueUser();
  cookie = await sessionCookie(keys, user);
  await redis.lpush(
    memoKey(user),
    'legacy memo',
    JSON.stringify({ v: 1, id: 'm0000000000abc', text: 'mine', createdAt: null }),
  );
});
afterAll(async () => {
  await Promise.all([memo.close(), memoExpress.close(), auth.close(), stub.close(), web.close()]);
  redis.disconnect();
});

interface Answer {
  status: number;
  type: string;
  body: string;
  location: string | null;
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(5_000) });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: await res.text(),
    location: res.headers.get('location'),
  };
}

function expectWellFormed(answer: Answer, method: string): void {
  expect(answer.status, answer.body).toBeLessThan(500);
  if (answer.status >= 400 && method !== 'HEAD') {
    expect(answer.type).toMatch(/^application\/json/);
    const body = JSON.parse(answer.body) as { error: { code: unknown; message: unknown } };
    expect(typeof body.error.code).toBe('string');
    expect(typeof body.error.message).toBe('string');
  }
}

const hostileKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'text', 'toString', 'hasOwnProperty');
const deep = fc.integer({ min: 1, max: 20_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`);
const body = fc.oneof(
  fc.json(),
  fc.string(),
  fc.dictionary(hostileKeys, fc.jsonValue()).map((o) => JSON.stringify(o)),
  fc.constant('{"__proto__":{"polluted":"yes"},"text":"proto"}'),
  fc.constant('{"constructor":{"prototype":{"polluted":"yes"}},"text":"ctor"}'),
  fc.string({ minLength: 0, maxLength: 300 }).map((text) => JSON.stringify({ text })),
  fc.integer({ min: 1, max: 20_000 }).map((n) => JSON.stringify({ text: 'x'.repeat(n) })),
  deep,
  fc
    .uint8Array({ maxLength: 64 })
    .map((bytes) => Buffer.concat([Buffer.from('{"text":"'), Buffer.from(bytes), Buffer.from('"}')])),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
);
const pathSegment = fc.oneof(
  fc.constantFrom(
    '',
    'm0000000000abc',
    'o0123456789abcdef0123',
    '..',
    '%2e%2e',
    '%00',
    '%E0%A4%A',
    '__proto__',
    'constructor',
    // Share links: made, listed, stopped, and opened with no session.
    'm0000000000abc/share',
    'shares',
    'shared/AbCdEfGhIjKlMnOpQrStUvWx',
    'shared/..%2f..%2fshares',
    'shared/%00',
  ),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
);
const query = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(
      fc.constantFrom('limit', 'cursor', 'next', 'code', 'state', 'error', '__proto__'),
      fc.string({ maxLength: 30 }),
    )
    .map((q) => `?${new URLSearchParams(q).toString()}`),
  fc.constantFrom('?limit=1&limit=2', '?cursor[]=1', '?limit=%FF', '?__proto__[x]=1'),
);
const cookieHeader = fc.oneof(
  fc.constant('valid'),
  fc.constant(''),
  fc.string({ maxLength: 200 }).map((s) => `userId=${encodeURIComponent(s)}`),
  fc.constantFrom('userId=%', 'userId=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'userId="a', 'oauth_state=x; userId=y'),
);
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');

describe('hostile input', () => {
  it('memo-service: never a 5xx, and a refused request changes nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(
        method,
        pathSegment,
        query,
        body,
        contentType,
        cookieHeader,
        async (m, segment, q, b, type, c) => {
          const before = await snapshotMemos(redis, user);
          const memosBefore = (await storeOn(redis).list(user, 100)).memos;
          const headers: Record<string, string> = { cookie: c === 'valid' ? cookie : c };
          if (type) headers['content-type'] = type;
          const withBody = m !== 'GET' && m !== 'HEAD';
          const answer = await send(`${memo.url}/${segment}${q}`, {
            method: m,
            headers,
            body: withBody ? b : undefined,
          });
          expectWellFormed(answer, m);
          // Refused: the user's memos are as they were (a first touch may have moved them from
          // the original's layout into the current one, which changes how, not what, is stored).
          if (answer.status >= 400) expect((await storeOn(redis).list(user, 100)).memos).toEqual(memosBefore);
          // Keep the memos few and the user's two original memos in place.
          if (answer.status < 300 && m !== 'GET') await restoreMemos(redis, user, before);
        },
      ),
      { numRuns: 300 },
    );
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('memo-service: the fast lane and express answer every hostile request alike', async () => {
    // What may differ between two answers to the same request: the time, the request id, and
    // what a write makes new (a memo's id and times, and so the body's length).
    const VARYING = new Set(['date', 'x-request-id', 'content-length', 'keep-alive', 'connection']);
    const NEW = /"(id|createdAt|updatedAt|nextCursor)":"[^"]*"/g;
    const full = async (url: string, init: RequestInit): Promise<Record<string, unknown>> => {
      const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(5_000) });
      const headers = Object.fromEntries([...res.headers].filter(([name]) => !VARYING.has(name)));
      return { status: res.status, headers, body: (await res.text()).replace(NEW, '"$1":"…"') };
    };
    const site = fc.constantFrom(undefined, 'same-origin', 'cross-site', 'same-site', 'none');
    const origin = fc.constantFrom(undefined, 'null', 'http://evil.example', 'http://127.0.0.1');
    const requestId = fc.constantFrom(undefined, 'abc-123', 'bad id with spaces', 'x'.repeat(200));
    let lane = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE'),
        fc.oneof(fc.constant(''), fc.constant('m0000000000abc'), pathSegment),
        query,
        body,
        contentType,
        cookieHeader,
        fc.tuple(site, origin, requestId),
        async (m, segment, q, b, type, c, [fetchSite, fetchOrigin, reqId]) => {
          const headers: Record<string, string> = { cookie: c === 'valid' ? cookie : c };
          if (type) headers['content-type'] = type;
          if (fetchSite) headers['sec-fetch-site'] = fetchSite;
          if (fetchOrigin) headers.origin = fetchOrigin;
          if (reqId) headers['x-request-id'] = reqId;
          const init = { method: m, headers, body: m === 'POST' || m === 'PUT' ? b : undefined };
          if (m !== 'HEAD' && (segment === '' ? m === 'GET' || m === 'POST' : /^[0-9A-Za-z]+$/.test(segment))) lane++;
          const before = await snapshotMemos(redis, user);
          const viaLane = await full(`${memo.url}/${segment}${q}`, init);
          await restoreMemos(redis, user, before);
          const viaExpress = await full(`${memoExpress.url}/${segment}${q}`, init);
          await restoreMemos(redis, user, before);
          expect(viaLane).toEqual(viaExpress);
          if (reqId === 'abc-123') {
            // The request id comes back either way (checked here, as it is left out above).
            const res = await fetch(`${memo.url}/${segment}${q}`, { ...init, method: 'GET', body: undefined });
            expect(res.headers.get('x-request-id')).toBe('abc-123');
            await res.body?.cancel();
          }
        },
      ),
      { numRuns: 300 },
    );
    // Many of the requests went to the lane's own routes (GET /, POST /, PUT and DELETE /:id).
    expect(lane).toBeGreaterThan(80);
  });

  it('auth-service: never a 5xx, and every redirect stays on the site', async () => {
    const route = fc.constantFrom('/login', '/callback', '/me', '/logout', '/jwks.json', '/', '/..%2f', '/callback/');
    await fc.assert(
      fc.asyncProperty(method, route, query, cookieHeader, body, async (m, r, q, c, b) => {
        const headers = { cookie: c === 'valid' ? cookie : c, 'content-type': 'application/json' };
        const withBody = m !== 'GET' && m !== 'HEAD';
        const answer = await send(`${auth.url}${r}${q}`, { method: m, headers, body: withBody ? b : undefined });
        expectWellFormed(answer, m);
        if (answer.location) {
          const target = new URL(answer.location);
          expect([stub.url, 'http://memo.test']).toContain(target.origin);
        }
      }),
      { numRuns: 200 },
    );
    // (A random POST /logout with the valid cookie may well have logged the user out: that is a real logout.)
    expect((await fetch(`${auth.url}/jwks.json`)).status).toBe(200);
  });

  it('web-service: serves only the page, whatever the path trick', async () => {
    const tricks = fc.oneof(
      fc.constantFrom(
        '/../package.json',
        '/..%2f..%2fpackage.json',
        '/%2e%2e/%2e%2e/package.json',
        '/%2e%2e%2f%2e%2e%2fsrc%2fapp.ts',
        '/....//....//package.json',
        '/.git/config',
        '/.env',
        '/app.js%00.html',
        '/%00',
        '/page/static/../../../package.json',
        '/public/../../src/app.ts',
        '/index.html/..',
        '/%c0%ae%c0%ae/package.json',
        '//etc/passwd',
        '/app.js.map',
        '/server.js',
        '/app.js',
        '/style.css',
        '/assets/app.js',
        '/assets/../index.html',
        '/assets/%2e%2e/src/app.ts',
        '/assets/app.0000000000.js',
      ),
      fc.array(pathSegment, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
    );
    const html = await (await fetch(`${web.url}/`)).text();
    // The style sheet, the script and the chunk it imports at once (preloaded).
    const linked = [...html.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)].map((m) => `/${m[1] ?? ''}`);
    expect(linked).toHaveLength(3);
    const pageFiles = [html, ...(await Promise.all(linked.map(async (p) => (await fetch(`${web.url}${p}`)).text())))];
    // …or the page a share link opens, at any one segment under /s/.
    pageFiles.push(await (await fetch(`${web.url}/s/AbCdEfGhIjKlMnOpQrStUvWx`)).text());
    await fc.assert(
      fc.asyncProperty(tricks, fc.constantFrom('GET', 'HEAD', 'POST'), async (path, m) => {
        const answer = await send(`${web.url}${path}`, { method: m });
        expectWellFormed(answer, m);
        // Whatever the path, a 200 is one of the page's own files.
        if (answer.status === 200 && m === 'GET') expect(pageFiles).toContain(answer.body);
        expect(answer.body).not.toMatch(/"workspaces"|"dependencies"|BEGIN|\[core\]/);
      }),
      { numRuns: 300 },
    );
  });
});
