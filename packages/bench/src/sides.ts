/**
 * One side of the regression gate (gate.ts) running: the stack of a tree as `npm start` runs it
 * (side.js), with a Redis and an nginx of its own, its bench users logged in and seeded. The
 * Redis is `redis-server`, or BENCH_REDIS_BINARY (`valkey-server`: the chart's engine).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, startRedis, type LocalRedis } from '@memo/stack';
import { nginxConfig } from './original.js';
import { has, here, stopProcess } from './processes.js';
import { logIn } from './users.js';

/** A side running: its stack (side.js), its Redis, its nginx when there is one. */
export interface Side {
  label: 'ref' | 'tree';
  root: string;
  site: string;
  services: Record<'memo' | 'auth' | 'web', { url: string; pid: number }>;
  nginx: string | null;
  /** The side's own Redis. */
  redisUrl: string;
  cookies: Record<'u10' | 'u1000' | 'post' | 'edit', string>;
  /** The paths of the edit user's memos (`<id>`, under memo-service's root). */
  editPaths: string[];
  stop(): Promise<void>;
}

/** Starts a side; `extraEnv` goes to every process of its stack (NODE_OPTIONS for a profile, say). */
export async function startSide(
  label: Side['label'],
  root: string,
  work: string,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<Side> {
  const dir = join(work, label);
  mkdirSync(dir, { recursive: true });
  const redis: LocalRedis = await startRedis(
    process.env.BENCH_REDIS_BINARY ? { binary: process.env.BENCH_REDIS_BINARY } : {},
  );
  const port = await freePort();
  const site = `http://127.0.0.1:${String(port)}/`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: redis.url,
    PUBLIC_URL: site,
    LOG_LEVEL: 'info',
    // Raw capacity: the per-user and per-address limits would answer 429 under a bench.
    MEMO_WRITE_RATE_LIMIT: '0',
    LOGIN_RATE_LIMIT: '0',
    MEMO_MAX_COUNT: '10000000',
    MEMO_MAX_BYTES: String(1024 ** 3),
    ...extraEnv,
  };
  delete env.NAVER_CLIENT_ID;
  const child = spawn(process.execPath, [here('./side.js'), root, String(port), join(dir, 'data')], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = await new Promise<{ processes: Record<string, { pid: number; url: string }> }>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${label}: not started in 30 s`)), 30_000);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      ok(JSON.parse(line) as { processes: Record<string, { pid: number; url: string }> });
    });
    child.once('exit', (code) => fail(new Error(`${label}: stack exited with ${String(code)}`)));
  });
  const service = (name: string): { url: string; pid: number } => {
    const p = started.processes[name];
    if (!p) throw new Error(`${label}: no ${name}`);
    return { url: p.url.endsWith('/') ? p.url : `${p.url}/`, pid: p.pid };
  };
  const services = { memo: service('memo-service'), auth: service('auth-service'), web: service('web-service') };
  let nginx: ChildProcess | null = null;
  let nginxSite: string | null = null;
  if (has('nginx')) {
    const nginxPort = await freePort();
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      nginxConfig(dir, nginxPort, { memo: services.memo.url, auth: services.auth.url, web: services.web.url }),
    );
    nginx = spawn('nginx', ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: 'ignore' });
    nginxSite = `http://127.0.0.1:${String(nginxPort)}/`;
    for (
      let i = 0;
      i < 100 &&
      !(await fetch(nginxSite).then(
        () => true,
        () => false,
      ));
      i += 1
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const u10 = await logIn(site, 'hong');
  const u1000 = await logIn(site, 'kim');
  const post = await logIn(site, 'park');
  const edit = await logIn(site, 'choi');
  await seed(services.memo.url, u10.cookie, 10);
  await seed(services.memo.url, u1000.cookie, 1_000);
  const editPaths = (await seed(services.memo.url, edit.cookie, 1_000)).map((id) => `/${id}`);
  return {
    label,
    root,
    site,
    services,
    nginx: nginxSite,
    redisUrl: redis.url,
    cookies: { u10: u10.cookie, u1000: u1000.cookie, post: post.cookie, edit: edit.cookie },
    editPaths,
    stop: async () => {
      if (nginx) await stopProcess(nginx);
      await stopProcess(child);
      await redis.stop();
    },
  };
}

/** `count` memos of about fifty bytes through the API (whatever layout the side stores). */
/** Adds `count` memos of about fifty bytes: their ids. */
async function seed(memoUrl: string, cookie: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 25) {
    ids.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(25, count - start) }, async (_, i) => {
          const res = await fetch(memoUrl, {
            method: 'POST',
            headers: { cookie, 'content-type': 'application/json' },
            body: JSON.stringify({ text: `a memo of about fifty bytes, written for the bench ${String(start + i)}` }),
          });
          if (res.status !== 201) throw new Error(`seeding: ${String(res.status)} ${await res.text()}`);
          return ((await res.json()) as { id: string }).id;
        }),
      )),
    );
  }
  return ids;
}
