import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { Metrics } from '../src/metrics.js';
import helmet from 'helmet';
import type { Request, RequestHandler, Response as ExpressResponse } from 'express';
import { API_CSP, createApp, errorHandler, fixedHeaders, notFoundHandler, sameOriginWrites } from '../src/http.js';
import { jsonBody } from '../src/json-body.js';

let server: Server;
let base: string;

beforeAll(async () => {
  const app = createApp({ log: createLogger('test', 'silent'), metrics: new Metrics('test') });
  app.use(sameOriginWrites());
  app.post('/thing', jsonBody(1024), (_req, res) => {
    res.status(201).json({ ok: true });
  });
  app.get('/thing', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(notFoundHandler());
  app.use(errorHandler(createLogger('test', 'silent')));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

const post = (headers: Record<string, string>): Promise<Response> =>
  fetch(`${base}/thing`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', ...headers } });

describe('createApp', () => {
  it('sets the security headers on every answer, errors included', async () => {
    for (const res of [
      await fetch(`${base}/thing`),
      await fetch(`${base}/nope`),
      await post({ origin: 'https://evil.example' }),
    ]) {
      // helmet's headers, with our policy: an API loads nothing and is framed by nobody.
      expect(res.headers.get('content-security-policy')).toBe(
        Object.entries(API_CSP)
          .map(([name, values]) => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${values.join(' ')}`)
          .join(';'),
      );
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+; includeSubDomains$/);
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('x-request-id')).toMatch(/^[\w-]{36}$/);
    }
    expect((await fetch(`${base}/thing`, { headers: { 'x-request-id': 'abc.123' } })).headers.get('x-request-id')).toBe(
      'abc.123',
    );
    // Not taken as it is: a fresh id instead (a UUID may well contain the hex letters "bad").
    expect(
      (await fetch(`${base}/thing`, { headers: { 'x-request-id': 'bad id with spaces' } })).headers.get('x-request-id'),
    ).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('sets exactly what helmet sets, asked once, and refuses a middleware whose headers vary', () => {
    const record = (handler: RequestHandler): Map<string, string> => {
      const headers = new Map<string, string>();
      const res = {
        setHeader: (n: string, v: unknown) => headers.set(n.toLowerCase(), String(v)),
        removeHeader: () => undefined,
      };
      handler({ method: 'GET', url: '/', headers: {} } as Request, res as unknown as ExpressResponse, () => undefined);
      return headers;
    };
    const secure = helmet({ contentSecurityPolicy: { useDefaults: false, directives: API_CSP } });
    expect(record(fixedHeaders(secure))).toEqual(record(secure));
    expect(record(fixedHeaders(secure)).size).toBeGreaterThan(8);
    let n = 0;
    const varying: RequestHandler = (_req, res, next) => {
      n += 1;
      res.setHeader('X-Seen', String(n));
      next();
    };
    expect(() => fixedHeaders(varying)).toThrow(/vary by request/);
    const late: RequestHandler = () => undefined;
    expect(() => fixedHeaders(late)).toThrow(/did not answer at once/);
  });

  it('refuses writes from another site and allows same-origin ones and non-browser clients', async () => {
    const host = new URL(base).host;
    expect((await post({ 'sec-fetch-site': 'same-origin' })).status).toBe(201);
    expect((await post({ 'sec-fetch-site': 'none' })).status).toBe(201);
    expect((await post({ origin: `http://${host}` })).status).toBe(201);
    expect((await post({ origin: 'https://memo.example', 'x-forwarded-host': 'memo.example' })).status).toBe(201);
    expect((await post({})).status).toBe(201);
    const refusedHeaders: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site', origin: `http://${host}` },
    ];
    for (const headers of refusedHeaders) {
      const res = await post(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'cross_origin' } });
    }
    // Reads are not state-changing.
    expect((await fetch(`${base}/thing`, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
  });

  it('answers a malformed path with a 4xx in the error shape, never a 500', async () => {
    const res = await fetch(`${base}/thing%E0%A4%A`);
    expect(res.status).toBeLessThan(500);
    expect(await res.json()).toHaveProperty('error.code');
  });
});
