import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { children, descendants, residentMb, running, waitFor } from '@memo/testing/process';
import { STACK_ENTRY, runStack } from '@memo/testing/stack';
import { standInLogin } from '@memo/testing/standin';

/** `npm start` as a process: what it prints, how it stops, and what survives a restart. */

const dataDir = mkdtempSync(join(tmpdir(), 'memo-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function refuses(address: string): Promise<boolean> {
  const url = new URL(address);
  return new Promise((resolve) => {
    const socket = createConnection({ host: url.hostname, port: Number(url.port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** The whole login dance over HTTP through the gateway, as a browser would follow it. */
interface LoggedIn {
  cookie: string;
  /** What passed through the URLs on the way: must never reach a log. */
  secrets: string[];
}

async function logIn(base: string, user: string): Promise<LoggedIn> {
  const { cookie, authorize, returned, back } = await standInLogin(new URL('auth/login', base), user);
  expect(back?.headers.get('location')).toBe(base);
  return {
    cookie,
    secrets: [
      cookie.slice('userId='.length),
      returned?.searchParams.get('code') ?? '',
      authorize.searchParams.get('state') ?? '',
    ],
  };
}

/** The resident memory (MB) of each service `npm start` (process `pid`) runs, by name. */
function idleRss(pid: number): Map<string, number> {
  const rss = new Map<string, number>();
  for (const child of children(pid)) {
    const service = /services\/([\w-]+)\//.exec(readFileSync(`/proc/${child}/cmdline`, 'utf8'))?.[1];
    if (service) rss.set(service, residentMb(child));
  }
  return rss;
}

describe('npm start', () => {
  it('prints every process address, stops on SIGTERM leaving nothing listening, and keeps memos across restarts', async () => {
    const first = await runStack({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    expect([...first.addresses.keys()].sort()).toEqual(
      ['auth-service', 'gateway', 'memo-service', 'naver-stub', 'redis', 'web-service'].sort(),
    );
    expect(first.url).toMatch(/^http:\/\/localhost:\d+\/$/);
    const page = await fetch(first.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html lang="ko">');
    // Each service idles within 90 MB resident (issue 21): ~79 MB with its 4 MB young
    // generation, ~95 MB with 8 MB (docs/benchmarks.md).
    const idle = idleRss(first.process.pid ?? 0);
    expect([...idle.keys()].sort()).toEqual(['auth-service', 'memo-service', 'naver-stub', 'web-service']);
    for (const [service, mb] of idle) expect(mb, service).toBeLessThanOrEqual(90);

    const { cookie, secrets } = await logIn(first.url, 'hong');
    const created = await fetch(new URL('memo', first.url), {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-request-id': 'trace-me-123' },
      body: JSON.stringify({ text: '재시작해도 남는 메모' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe('trace-me-123');
    // auth and memo are connected to the stack's Redis as the chart's users, not as default.
    const redis = new Redis(first.addresses.get('redis') ?? '', { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await redis.connect();
      const clients = String(await redis.call('CLIENT', 'LIST'));
      expect(clients).toMatch(/ user=memo-service /);
      expect(clients).toMatch(/ user=auth-service /);
    } finally {
      redis.disconnect();
    }

    // One JSON line per request, with the route template and the request id; no secret, no memo text.
    const findLog = (): Record<string, unknown> | undefined =>
      first.output
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.reqId === 'trace-me-123');
    await waitFor(() => Promise.resolve(findLog() !== undefined), 3_000, 'the request log line');
    const requestLog = findLog();
    expect(requestLog).toMatchObject({
      service: 'memo-service',
      method: 'POST',
      route: '/',
      status: 201,
      msg: 'request',
    });
    expect(typeof requestLog?.ms).toBe('number');
    // The request id of the login callback rides along on the calls to Naver.
    const logs = first.output.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const callback = logs.find((l) => l.service === 'auth-service' && l.route === '/callback');
    expect(callback?.reqId).toBeTruthy();
    const naverCalls = logs
      .filter((l) => l.service === 'naver-stub' && l.reqId === callback?.reqId)
      .map((l) => l.route);
    expect(naverCalls.sort()).toEqual(['/oauth2.0/token', '/v1/nid/me']);
    const everything = first.output.join('\n');
    for (const secret of [...secrets, '재시작해도 남는 메모', 'memo-local-secret', 'PRIVATE KEY']) {
      expect(secret.length).toBeGreaterThan(4);
      expect(everything).not.toContain(secret);
    }

    expect(await first.stop('SIGTERM')).toBe(0);
    for (const address of first.addresses.values()) expect(await refuses(address)).toBe(true);

    const second = await runStack({ DATA_DIR: dataDir });
    try {
      const res = await fetch(new URL('memo', second.url), { headers: { cookie } });
      // The session survives the restart too: its key and Redis are both kept in the data folder.
      expect(res.status).toBe(200);
      const body = (await res.json()) as { memos: { text: string }[] };
      expect(body.memos.map((m) => m.text)).toContain('재시작해도 남는 메모');
    } finally {
      expect(await second.stop('SIGINT')).toBe(0);
    }
    for (const address of second.addresses.values()) expect(await refuses(address)).toBe(true);
  });

  it('stops the whole stack when what started it is killed outright', async () => {
    // A shell that runs the launcher and waits for it (not the last command, so not exec'd):
    // killed with SIGKILL, it passes nothing on, and the launcher is handed to init.
    const shell = spawn('sh', ['-c', '"$0" "$1"; exit $?', process.execPath, STACK_ENTRY], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: join(dataDir, 'orphan') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const output: string[] = [];
    const site = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready in 30 s:\n${output.join('\n')}`)), 30_000);
      createInterface({ input: shell.stdout }).on('line', (line) => {
        output.push(line);
        const url = /^memo is ready in \d+ ms: open (\S+)$/.exec(line)?.[1];
        if (url) {
          clearTimeout(timer);
          resolve(url);
        }
      });
    });
    const tree = descendants(shell.pid ?? 0);
    // The launcher, Redis and the four services (naver-stub among them).
    expect(tree.length).toBeGreaterThanOrEqual(6);
    shell.kill('SIGKILL');
    try {
      const ms = await waitFor(
        () => Promise.resolve(!tree.some(running)),
        20_000,
        'every process of the stack to exit',
      );
      console.log(`orphaned launcher: the stack was gone ${ms} ms after its shell was killed`);
    } finally {
      for (const pid of tree.filter(running)) process.kill(pid, 'SIGKILL');
    }
    expect(output).toContain('memo: what started it is gone');
    expect(await refuses(site)).toBe(true);
  });

  it('stops with one clear line when a setting is malformed', () => {
    const start = fileURLToPath(new URL('../../packages/stack/dist/start.js', import.meta.url));
    const launcher = spawnSync(process.execPath, [start], {
      env: { ...process.env, PORT: 'eighty' },
      encoding: 'utf8',
    });
    expect(launcher.status).toBe(78);
    expect(launcher.stderr.trim()).toBe('memo: configuration error: PORT: must be a whole number, got "eighty"');

    const memo = fileURLToPath(new URL('../../services/memo-service/dist/server.js', import.meta.url));
    const service = spawnSync(process.execPath, [memo], {
      env: { PATH: process.env.PATH, SESSION_PUBLIC_KEY: 'x' },
      encoding: 'utf8',
    });
    expect(service.status).toBe(78);
    expect(service.stderr.trim()).toBe('memo-service: configuration error: REDIS_URL: is required but not set');

    const auth = fileURLToPath(new URL('../../services/auth-service/dist/server.js', import.meta.url));
    const badUrl = spawnSync(process.execPath, [auth], {
      env: { PATH: process.env.PATH, REDIS_URL: 'redis://127.0.0.1:1', PUBLIC_URL: 'localhost:8080' },
      encoding: 'utf8',
    });
    expect(badUrl.status).toBe(78);
    expect(badUrl.stderr.trim()).toBe(
      'auth-service: configuration error: PUBLIC_URL: must use http: or https:, got "localhost:"',
    );
  });
});
