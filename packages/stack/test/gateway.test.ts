import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, listenGateway } from '../src/gateway.js';
import { freePort } from '../src/ports.js';
import { ROUTES, resolve } from '../src/routes.js';

describe('route table (as the ingress rewrites)', () => {
  it.each([
    ['/memo', 'memo-service', '/'],
    ['/memo/', 'memo-service', '/'],
    ['/memo?limit=5&cursor=9', 'memo-service', '/?limit=5&cursor=9'],
    ['/memo/m123', 'memo-service', '/m123'],
    ['/MEMO/m123', 'memo-service', '/m123'],
    ['/memo//x', 'memo-service', '//x'],
    ['/memos', 'web-service', '/memos'],
    ['/auth/login', 'auth-service', '/login'],
    ['/auth/callback?code=a&state=b', 'auth-service', '/callback?code=a&state=b'],
    ['/auth', 'auth-service', '/'],
    ['/authx', 'web-service', '/authx'],
    ['/', 'web-service', '/'],
    ['/app.js', 'web-service', '/app.js'],
  ])('%s goes to %s as %s', (target, service, path) => {
    expect(resolve(target, ROUTES)).toEqual({ service, path });
  });
});

interface Seen {
  name: string;
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function echo(name: string, seen: Seen[]): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ name, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'a=b; Path=/' });
      res.end(JSON.stringify({ name }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('gateway', () => {
  const seen: Seen[] = [];
  const servers: Server[] = [];
  let gateway: Server;
  let base: string;

  beforeAll(async () => {
    const memoA = await echo('memo-a', seen);
    const memoB = await echo('memo-b', seen);
    const web = await echo('web', seen);
    servers.push(memoA.server, memoB.server, web.server);
    const dead = `http://127.0.0.1:${await freePort()}`;
    gateway = createGateway({
      routes: ROUTES,
      upstreams: { 'memo-service': [dead, memoA.url, memoB.url], 'web-service': [web.url] },
      maxBodyBytes: 1024,
    });
    base = `http://127.0.0.1:${await listenGateway(gateway, 0, '127.0.0.1')}`;
  });
  afterAll(() => {
    gateway.close();
    for (const s of servers) s.close();
  });

  it('strips the prefix, keeps method, query, body and cookies, and adds forwarding headers', async () => {
    seen.length = 0;
    const res = await fetch(`${base}/memo/m1?x=1`, {
      method: 'PUT',
      body: '{"text":"hi"}',
      headers: { 'content-type': 'application/json', cookie: 'userId=t', 'x-request-id': 'abc-123' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual(['a=b; Path=/']);
    const got = seen.at(-1);
    expect(got).toMatchObject({ method: 'PUT', url: '/m1?x=1', body: '{"text":"hi"}' });
    expect(got?.name).toMatch(/^memo-/);
    expect(got?.headers.cookie).toBe('userId=t');
    expect(got?.headers['x-request-id']).toBe('abc-123');
    expect(got?.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('spreads requests over replicas and skips one that refuses connections, even for POST', async () => {
    seen.length = 0;
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${base}/memo`, { method: i % 2 ? 'POST' : 'GET', body: i % 2 ? '{}' : undefined });
      expect(res.status).toBe(200);
    }
    const names = new Set(seen.map((s) => s.name));
    expect(names).toEqual(new Set(['memo-a', 'memo-b']));
    expect(seen.every((s) => s.url === '/')).toBe(true);
  });

  /** Sends a request target as it is (fetch would normalize it), returning the status line. */
  function raw(target: string, cookie = 'userId=secret'): Promise<string> {
    return new Promise((resolveRaw, reject) => {
      const socket = connect(Number(new URL(base).port), '127.0.0.1');
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString()));
      socket.on('end', () => resolveRaw(answer.split('\r\n')[0] ?? ''));
      socket.on('error', reject);
      socket.write(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`);
    });
  }

  it('never sends a request, or its cookies, to a host named in the path', async () => {
    const attacker: Seen[] = [];
    const evil = await echo('attacker', attacker);
    servers.push(evil.server);
    const host = new URL(evil.url).host;
    seen.length = 0;
    for (const target of [`//${host}/`, `//${host}/memo`, `///${host}/`, `http://${host}/`, `*`]) {
      expect(await raw(target), target).toBe('HTTP/1.1 400 Bad Request');
    }
    expect(attacker).toEqual([]);
    expect(seen).toEqual([]);
    // A double slash after a prefix is a path like any other: it goes to that service's replica.
    expect(await raw(`/memo//${host}/`)).toBe('HTTP/1.1 200 OK');
    expect(attacker).toEqual([]);
    expect(seen.at(-1)).toMatchObject({ url: `//${host}/`, headers: { cookie: 'userId=secret' } });
    expect(seen.at(-1)?.name).toMatch(/^memo-/);
  });

  it('answers 413 for a body over its limit and 404/502 as JSON', async () => {
    const big = await fetch(`${base}/memo`, { method: 'POST', body: 'x'.repeat(2048) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    const none = await fetch(`${base}/auth/me`);
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
