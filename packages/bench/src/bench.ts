/**
 * `npm run bench`: starts memo as `npm start` does (plus the floor and, when its folder and
 * tools are there, the original stack behind nginx), seeds users and memos, drives each
 * scenario with autocannon in a separate process, and prints a table of medians over several
 * runs; writes the whole result as JSON and Markdown to bench-results/.
 *
 * Settings (environment): BENCH_DURATION seconds per run (5), BENCH_RUNS (3),
 * BENCH_CONNECTIONS (64), BENCH_ONLY (a regular expression over scenario names),
 * BENCH_BASELINE (the original stack's folder; default ../shared/baseline when present,
 * `off` to skip it), BENCH_URL and BENCH_REDIS_URL (a running stack with the Naver stand-in,
 * and its Redis: measured through its front door only), BENCH_ABUSE (the abuse scenario's
 * sizes, `<memos>x<bytes>` separated by commas; `off` to skip it), BENCH_ABUSE_READ_RATE and
 * BENCH_ABUSE_WRITE_RATE (its reader's and each attacker's requests per second: 2000, 1000),
 * BENCH_HEAVY_READ_RATE (the heavy-requests scenario's reader, per second: 500; heavy.ts).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort, startRedis, startStack, type LocalRedis, type RunningStack } from '@memo/stack';
import { seedCurrent } from '@memo/testing/seed';
import { renderAbuse, runAbuse, type AbuseResult } from './abuse.js';
import { renderHeavy, runHeavy, type HeavyResult } from './heavy.js';
import type { LoadResult, LoadSpec, RequestSpec } from './types.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const ONLY = new RegExp(process.env.BENCH_ONLY ?? '.');
const TARGET = process.env.BENCH_URL;
const TARGET_REDIS = process.env.BENCH_REDIS_URL;
const BASELINE_DIR =
  process.env.BENCH_BASELINE === 'off' ? null : resolve(ROOT, process.env.BENCH_BASELINE ?? '../shared/baseline');
const OUT = process.env.BENCH_OUT ?? join(ROOT, 'bench-results');
/** The abuse scenario's sizes: memos per attacker (the cap) × bytes per memo. */
const ABUSE = (process.env.BENCH_ABUSE ?? '1000x256,100000x1000')
  .split(',')
  .filter((s) => /^\d+x\d+$/.test(s.trim()))
  .map((s) => s.trim().split('x').map(Number) as [number, number]);

const SMALL_MEMO = JSON.stringify({ text: 'a memo of about fifty bytes, written for the benchmark' });
const JSON_HEADERS = { 'content-type': 'application/json' };

// ---------------------------------------------------------------------------------------------

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

const has = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  try {
    const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs one measurement in a separate process (the load generator never shares our loop). */
function load(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolveLoad, reject) => {
    // The spec goes through stdin: a list of ids to pick from can be larger than argv allows.
    const child = spawn(process.execPath, [here('./load.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.end(JSON.stringify(spec));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${String(code)}`));
      else resolveLoad(JSON.parse(out) as LoadResult);
    });
  });
}

function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} not ready in 10 s`)), 10_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (ready.test(line)) {
        clearTimeout(timer);
        resolveStart(child);
      }
    });
    child.stderr.resume();
    child.once('exit', (code) => reject(new Error(`${command} exited with ${String(code)}`)));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

// ---------------------------------------------------------------------------------------------
// Logging in (the real flow, through the Naver stand-in) and seeding

const setCookies = (res: Response): string[] => res.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');

async function logIn(site: string, user: string): Promise<{ cookie: string; id: string }> {
  const start = await fetch(new URL('auth/login', site), { redirect: 'manual' });
  const stateCookie = setCookies(start).join('; ');
  const authorize = new URL(start.headers.get('location') ?? '', site);
  const form = new URLSearchParams({ user });
  for (const name of ['client_id', 'redirect_uri', 'state']) form.set(name, authorize.searchParams.get(name) ?? '');
  const picked = await fetch(new URL(authorize.pathname, authorize), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const callback = await fetch(picked.headers.get('location') ?? '', {
    headers: { cookie: stateCookie },
    redirect: 'manual',
  });
  const cookie = setCookies(callback).find((c) => c.startsWith('userId=')) ?? '';
  if (!cookie) throw new Error(`login of ${user} failed: ${callback.headers.get('location') ?? ''}`);
  const me = (await (await fetch(new URL('auth/me', site), { headers: { cookie } })).json()) as { id: string };
  return { cookie, id: me.id };
}

/** `count` plain-string memos of about fifty bytes, as the original app stores them. */
async function seedPlain(redis: Redis, key: string, count: number): Promise<void> {
  await redis.del(key);
  for (let start = 0; start < count; start += 1000) {
    const batch: string[] = [];
    for (let i = start; i < Math.min(count, start + 1000); i += 1) {
      batch.push(`a memo of about fifty bytes, written for the bench ${String(i)}`);
    }
    await redis.lpush(key, ...batch);
  }
}

/** A service's environment, read from its process (to start one more like it). */
function environOf(pid: number): NodeJS.ProcessEnv {
  return Object.fromEntries(
    readFileSync(`/proc/${String(pid)}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

// ---------------------------------------------------------------------------------------------
// nginx in front of memo, as the ingress will be (for the comparison with the original)

function nginxConfig(dir: string, port: number, upstreams: Record<'memo' | 'auth' | 'web', string>): string {
  const upstream = (name: string, url: string): string =>
    `upstream ${name} { server ${new URL(url).host}; keepalive 64; }`;
  const proxy = `proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr; proxy_set_header X-Forwarded-Proto $scheme;`;
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  ${upstream('memo', upstreams.memo)}
  ${upstream('auth', upstreams.auth)}
  ${upstream('web', upstreams.web)}
  server {
    listen 127.0.0.1:${String(port)};
    location = /memo { proxy_pass http://memo/; ${proxy} }
    location /memo/ { proxy_pass http://memo/; ${proxy} }
    location /auth/ { proxy_pass http://auth/; ${proxy} }
    location / { proxy_pass http://web; ${proxy} }
  }
}
`;
}

// ---------------------------------------------------------------------------------------------

interface Scenario {
  name: string;
  /** Which side of a comparison, for the tables. */
  via: 'service' | 'gateway' | 'floor' | 'nginx' | 'original';
  spec: LoadSpec;
}

interface Measured {
  name: string;
  via: Scenario['via'];
  runs: LoadResult[];
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  errors: number;
}

interface Memory {
  process: string;
  idleMb: number;
  peakMb: number;
}

async function readyTimes(stack: RunningStack): Promise<Record<string, number[]>> {
  const times: Record<string, number[]> = {};
  for (const name of ['auth-service', 'memo-service', 'web-service']) {
    const pid = stack.processes.get(name)?.pid ?? 0;
    const env = environOf(pid);
    times[name] = [];
    for (let i = 0; i < 3; i += 1) {
      const admin = await freePort();
      const began = performance.now();
      const child = spawn(process.execPath, [join(ROOT, 'services', name, 'dist', 'server.js')], {
        env: { ...env, PORT: String(await freePort()), ADMIN_PORT: String(admin) },
        stdio: 'ignore',
      });
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${String(admin)}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (performance.now() - began > 10_000) throw new Error(`${name} not ready in 10 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      times[name].push(Math.round(performance.now() - began));
      await stopProcess(child);
    }
  }
  return times;
}

/** A memo-service of its own, like the stack's but with these quotas; its port and process. */
async function memoServiceLike(
  stack: RunningStack,
  maxCount: number,
  maxBytes: number,
): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = await startProcess(
    process.execPath,
    [join(ROOT, 'services', 'memo-service', 'dist', 'server.js')],
    {
      ...environOf(stack.processes.get('memo-service')?.pid ?? 0),
      PORT: String(port),
      ADMIN_PORT: String(await freePort()),
      MEMO_MAX_COUNT: String(maxCount),
      MEMO_MAX_BYTES: String(maxBytes),
      LOG_LEVEL: 'warn',
    },
    /^memo-service listening/,
  );
  return { port, child };
}

async function main(): Promise<void> {
  const started = new Date();
  mkdirSync(OUT, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'memo-bench-'));
  chmodSync(work, 0o755);
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(work, { recursive: true, force: true })];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.reverse()) await step();
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    // A running stack when told where (BENCH_URL, with BENCH_REDIS_URL to seed memos: it must
    // run the Naver stand-in, and the six stand-in users' memos are replaced); else our own.
    let stack: RunningStack | undefined;
    let site: string;
    let redisUrl: string;
    let redisPid: number | undefined;
    if (TARGET) {
      if (!TARGET_REDIS) throw new Error('BENCH_URL needs BENCH_REDIS_URL, the Redis that stack uses (to seed memos)');
      site = TARGET.endsWith('/') ? TARGET : `${TARGET}/`;
      redisUrl = TARGET_REDIS;
      log(`using the running stack at ${site} (redis ${redisUrl}): gateway scenarios only`);
    } else {
      // Redis without persistence, as the original's bench runs it (memo's own default is AOF).
      const redisServer: LocalRedis = await startRedis({});
      cleanups.push(() => redisServer.stop());
      redisUrl = redisServer.url;
      redisPid = redisServer.process.pid;
      const port = await freePort();
      site = `http://127.0.0.1:${String(port)}/`;
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        REDIS_URL: redisUrl,
        PUBLIC_URL: site,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
        // Raw capacity: the per-user and per-address limits would answer 429 under a bench.
        MEMO_WRITE_RATE_LIMIT: '0',
        LOGIN_RATE_LIMIT: '0',
        // Raw capacity: the write scenarios add hundreds of thousands of memos to one user.
        MEMO_MAX_COUNT: '10000000',
        MEMO_MAX_BYTES: String(1024 ** 3),
      };
      delete env.NAVER_CLIENT_ID;
      log(`starting memo (redis ${redisUrl}) …`);
      const started = await startStack({ env, port, host: '127.0.0.1', dataDir: work, print: () => undefined });
      cleanups.push(() => started.stop());
      stack = started;
    }
    const redis = new Redis(redisUrl);
    cleanups.push(() => redis.disconnect());
    const url = (name: string): string => `${stack?.processes.get(name)?.url ?? ''}/`;

    const users = {
      u10: await logIn(site, 'hong'),
      u1000: await logIn(site, 'kim'),
      u10000: await logIn(site, 'anon'),
      u100000: await logIn(site, 'lee'),
      post: await logIn(site, 'park'),
      mixed: await logIn(site, 'choi'),
    };
    log('seeding 10, 1,000, 10,000 and 100,000 memos …');
    const fifty = (n: number): string[] =>
      Array.from({ length: n }, (_, i) => `a memo of about fifty bytes, written for the bench ${String(i)}`);
    await seedCurrent(redis, users.u10.id, fifty(10));
    await seedCurrent(redis, users.u1000.id, fifty(1_000));
    await seedCurrent(redis, users.u10000.id, fifty(10_000));
    await seedCurrent(redis, users.u100000.id, fifty(100_000));
    await seedCurrent(redis, users.mixed.id, fifty(1_000));
    await seedCurrent(redis, users.post.id, []);

    const floorPort = await freePort();
    const floor = await startProcess(
      process.execPath,
      [here('./floor.js')],
      { ...process.env, REDIS_URL: redisUrl, PORT: String(floorPort) },
      /^floor listening/,
    );
    cleanups.push(() => stopProcess(floor));
    const floorUrl = `http://127.0.0.1:${String(floorPort)}/`;

    const spec = (target: string, headers: Record<string, string>, requests?: RequestSpec[]): LoadSpec => ({
      url: target,
      connections: CONNECTIONS,
      duration: DURATION,
      headers,
      ...(requests ? { requests } : {}),
    });
    const post = (path: string): RequestSpec => ({ method: 'POST', path, body: SMALL_MEMO, headers: JSON_HEADERS });
    const mixed = (path: string): RequestSpec[] => [
      ...Array.from({ length: 9 }, (): RequestSpec => ({ method: 'GET', path })),
      post(path),
    ];
    const memo = url('memo-service');
    const auth = url('auth-service');
    const web = url('web-service');
    const scenarios: Scenario[] = [];
    for (const [size, user] of [
      ['10', users.u10],
      ['1000', users.u1000],
      ['100000', users.u100000],
    ] as const) {
      scenarios.push(
        { name: `get_memo_${size}`, via: 'service', spec: spec(memo, { cookie: user.cookie }) },
        { name: `get_memo_${size}`, via: 'gateway', spec: spec(`${site}memo`, { cookie: user.cookie }) },
        { name: `get_memo_${size}`, via: 'floor', spec: spec(floorUrl, { cookie: `userId=${user.id}` }) },
      );
    }
    // The default first page holds 20 memos, so a user with 10 gets a smaller answer; the same
    // page size (10) at 100,000 memos isolates what the list's length costs.
    scenarios.push({
      name: 'get_memo_100000_limit10',
      via: 'service',
      spec: spec(`${memo}?limit=10`, { cookie: users.u100000.cookie }),
    });
    scenarios.push(
      { name: 'post_memo', via: 'service', spec: spec(memo, { cookie: users.post.cookie }, [post('/')]) },
      { name: 'post_memo', via: 'gateway', spec: spec(site, { cookie: users.post.cookie }, [post('/memo')]) },
      { name: 'mixed_90_10', via: 'service', spec: spec(memo, { cookie: users.mixed.cookie }, mixed('/')) },
      { name: 'mixed_90_10', via: 'gateway', spec: spec(site, { cookie: users.mixed.cookie }, mixed('/memo')) },
      { name: 'get_page', via: 'service', spec: spec(web, { 'accept-encoding': 'gzip' }) },
      { name: 'get_page', via: 'gateway', spec: spec(site, { 'accept-encoding': 'gzip' }) },
      { name: 'get_me', via: 'service', spec: spec(`${auth}me`, { cookie: users.u10.cookie }) },
      { name: 'get_me', via: 'gateway', spec: spec(`${site}auth/me`, { cookie: users.u10.cookie }) },
    );

    // The original, and memo behind the same nginx, when the original's folder and tools are here.
    const pids = new Map<string, number>([...(stack?.processes ?? [])].map(([name, p]) => [name, p.pid]));
    if (stack) pids.set('launcher + gateway', process.pid);
    pids.set('floor', floor.pid ?? 0);
    let baseline = 'not run';
    const tools = ['nginx', 'uwsgi', 'redis-cli', 'curl'];
    if (stack && BASELINE_DIR && existsSync(join(BASELINE_DIR, 'start.sh')) && tools.every(has)) {
      const nginxPort = await freePort();
      const conf = join(work, 'nginx.conf');
      writeFileSync(conf, nginxConfig(work, nginxPort, { memo, auth, web }));
      const nginx = spawn('nginx', ['-p', work, '-c', conf, '-g', 'daemon off;'], { stdio: 'ignore' });
      cleanups.push(() => stopProcess(nginx));
      pids.set('nginx (memo)', nginx.pid ?? 0);
      execFileSync('bash', [join(BASELINE_DIR, 'start.sh')], { stdio: 'ignore' });
      cleanups.push(() => void execFileSync('bash', [join(BASELINE_DIR, 'stop.sh')], { stdio: 'ignore' }));
      const original = new Redis({ port: 6391, host: '127.0.0.1' });
      cleanups.push(() => original.disconnect());
      await original.set('bench-user', '벤치 사용자');
      for (const n of [10, 1_000, 10_000]) await seedPlain(original, `memo:u${String(n)}`, n);
      await original.del('memo:bench-post');
      const ours = `http://127.0.0.1:${String(nginxPort)}/`;
      const theirs = 'http://127.0.0.1:18081/memo/';
      for (const [size, user] of [
        ['10', users.u10],
        ['1000', users.u1000],
        ['10000', users.u10000],
      ] as const) {
        scenarios.push(
          { name: `get_memo_${size}`, via: 'nginx', spec: spec(`${ours}memo`, { cookie: user.cookie }) },
          { name: `get_memo_${size}`, via: 'original', spec: spec(`${theirs}memo`, { cookie: `userId=u${size}` }) },
        );
      }
      scenarios.push(
        { name: 'post_memo', via: 'nginx', spec: spec(ours, { cookie: users.post.cookie }, [post('/memo')]) },
        {
          name: 'post_memo',
          via: 'original',
          spec: spec(theirs, { cookie: 'userId=bench-post' }, [post('/memo/memo')]),
        },
        { name: 'get_page', via: 'nginx', spec: spec(ours, { 'accept-encoding': 'gzip', cookie: users.u10.cookie }) },
        { name: 'get_page', via: 'original', spec: spec(theirs, { cookie: 'userId=bench-user' }) },
      );
      baseline = `run from ${BASELINE_DIR}`;
    } else {
      baseline = stack
        ? `skipped: needs ${BASELINE_DIR ?? '(off)'} and ${tools.join(', ')}`
        : 'skipped: a running stack was given';
      log(`original stack ${baseline}`);
    }

    // Without our own stack the services' own addresses are not known: the site only.
    const chosen = scenarios.filter((s) => ONLY.test(`${s.name}@${s.via}`) && (stack || s.via !== 'service'));
    const idle = new Map([...pids].map(([name, pid]) => [name, rssMb(pid)]));
    const peak = new Map([...pids].map(([name]) => [name, 0]));
    const sampler = setInterval(() => {
      for (const [name, pid] of pids) peak.set(name, Math.max(peak.get(name) ?? 0, rssMb(pid)));
    }, 200);

    log(
      `${String(chosen.length)} scenarios × ${String(RUNS)} runs × ${String(DURATION)} s, ${String(CONNECTIONS)} connections`,
    );
    const results = new Map<Scenario, LoadResult[]>(chosen.map((s) => [s, []]));
    for (const s of chosen) await load({ ...s.spec, duration: 1 }); // warm up (JIT, connections, caches)
    for (let run = 0; run < RUNS; run += 1) {
      for (const s of chosen) {
        const r = await load(s.spec);
        results.get(s)?.push(r);
        log(
          `run ${String(run + 1)} ${s.name}@${s.via}: ${r.rps.toFixed(0)} req/s, p99 ${String(r.p99)} ms, errors ${String(r.errors)}`,
        );
      }
    }
    clearInterval(sampler);

    const abuse: AbuseResult[] = [];
    if (stack && ONLY.test('abuse@service')) {
      for (const [memos, textBytes] of ABUSE) {
        // A memo-service like the stack's, whose quotas put the attackers exactly at the cap.
        const { port, child: capped } = await memoServiceLike(stack, memos, memos * textBytes);
        try {
          abuse.push(
            await runAbuse({
              redisPid: redisPid ?? 0,
              otherPids: [capped.pid ?? 0, ...[...stack.processes.values()].map((p) => p.pid)].filter(
                (pid) => pid > 0 && pid !== redisPid,
              ),
              memoUrl: `http://127.0.0.1:${String(port)}/`,
              redis,
              reader: users.u10,
              legacy: users.u1000,
              current: users.u10000,
              memos,
              textBytes,
              duration: DURATION,
              readerConnections: 16,
              attackerConnections: 16,
              readerRate: Number(process.env.BENCH_ABUSE_READ_RATE ?? 2000),
              attackerRate: Number(process.env.BENCH_ABUSE_WRITE_RATE ?? 1000),
              seedCurrent,
              load,
              log,
            }),
          );
        } finally {
          await stopProcess(capped);
        }
      }
    }

    const heavy: HeavyResult[] = [];
    if (stack && ONLY.test('heavy@service')) {
      // A memo-service like the stack's with the chart's quotas (1,000 memos, 256 KiB).
      const { port, child: charted } = await memoServiceLike(stack, 1_000, 256 * 1024);
      try {
        heavy.push(
          await runHeavy({
            memoUrl: `http://127.0.0.1:${String(port)}/`,
            redis,
            reader: users.u10,
            heavy: [users.u1000, users.u10000, users.u100000, users.post],
            duration: DURATION,
            readerRate: Number(process.env.BENCH_HEAVY_READ_RATE ?? 500),
            load,
            log,
          }),
        );
      } finally {
        await stopProcess(charted);
      }
    }

    const measured: Measured[] = chosen.map((s) => {
      const runs = results.get(s) ?? [];
      return {
        name: s.name,
        via: s.via,
        runs,
        rps: Math.round(median(runs.map((r) => r.rps))),
        p50: median(runs.map((r) => r.p50)),
        p99: median(runs.map((r) => r.p99)),
        p999: median(runs.map((r) => r.p999)),
        errors: runs.reduce((n, r) => n + r.errors, 0),
      };
    });
    const memory: Memory[] = [...pids].map(([name, pid]) => ({
      process: name,
      idleMb: Math.round((idle.get(name) ?? 0) * 10) / 10,
      peakMb: Math.round(Math.max(peak.get(name) ?? 0, name.endsWith('-service') ? rssMb(pid, 'VmHWM') : 0) * 10) / 10,
    }));
    log('measuring time to ready (3 cold starts each) …');
    const ready = stack ? await readyTimes(stack) : {};

    const report = render({ started, measured, memory, ready, baseline, abuse, heavy });
    process.stdout.write(`${report}\n`);
    writeFileSync(join(OUT, 'latest.md'), `${report}\n`);
    writeFileSync(
      join(OUT, 'latest.json'),
      JSON.stringify(
        { machine: machine(), settings: settings(), baseline, measured, memory, ready, abuse, heavy },
        null,
        2,
      ),
    );
    log(`written: ${join(OUT, 'latest.md')} and latest.json`);
  } finally {
    await cleanup();
  }
}

function machine(): Record<string, string | number> {
  const redisVersion = /v=(\S+)/.exec(spawnSync('redis-server', ['--version']).stdout.toString())?.[1] ?? '?';
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? '?',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: redisVersion,
  };
}

const settings = (): Record<string, number | string> => ({
  durationSeconds: DURATION,
  runs: RUNS,
  connections: CONNECTIONS,
  loadGenerator: 'autocannon (separate process, same machine)',
});

function render(r: {
  started: Date;
  measured: Measured[];
  memory: Memory[];
  ready: Record<string, number[]>;
  baseline: string;
  abuse: AbuseResult[];
  heavy: HeavyResult[];
}): string {
  const m = machine();
  const find = (name: string, via: Scenario['via']): Measured | undefined =>
    r.measured.find((x) => x.name === name && x.via === via);
  const ratio = (a?: Measured, b?: Measured): string => (a && b && b.rps > 0 ? (a.rps / b.rps).toFixed(2) : '–');
  const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));
  const lines: string[] = [];
  lines.push(`## memo bench, ${r.started.toISOString()}`);
  lines.push('');
  lines.push(
    `Machine: ${String(m.cores)} cores (${String(m.cpu)}), ${String(m.memoryGb)} GB, Node ${String(m.node)}, Redis ${String(m.redis)}. ` +
      `The load generator (autocannon, its own process) shares the machine. ${String(CONNECTIONS)} connections, ` +
      `${String(RUNS)} runs of ${String(DURATION)} s per scenario, medians. Original stack: ${r.baseline}.`,
  );
  lines.push('');
  lines.push('| scenario | via | req/s | p50 ms | p99 ms | p99.9 ms | errors |');
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const x of r.measured) {
    lines.push(
      `| ${x.name} | ${x.via} | ${String(x.rps)} | ${ms(x.p50)} | ${ms(x.p99)} | ${ms(x.p999)} | ${String(x.errors)} |`,
    );
  }
  lines.push('');
  lines.push('| target | figure | met |');
  lines.push('| --- | --- | :---: |');
  const target = (what: string, figure: string, met: boolean | null): void => {
    lines.push(`| ${what} | ${figure} | ${met === null ? '–' : met ? 'yes' : 'no'} |`);
  };
  for (const size of ['10', '1000', '100000']) {
    const a = find(`get_memo_${size}`, 'service');
    const b = find(`get_memo_${size}`, 'floor');
    const v = Number(ratio(a, b));
    target(`GET /memo (${size} memos) ≥ 70% of the floor`, `${ratio(a, b)}×`, Number.isNaN(v) ? null : v >= 0.7);
  }
  {
    const same = Number(ratio(find('get_memo_100000_limit10', 'service'), find('get_memo_10', 'service')));
    const literal = ratio(find('get_memo_100000', 'service'), find('get_memo_10', 'service'));
    target(
      'first page at 100,000 memos within 10% of 10 memos (same page size: 10)',
      `${same.toFixed(2)}× (default page, 20 vs 10 memos: ${literal}×)`,
      Number.isNaN(same) ? null : same >= 0.9,
    );
  }
  for (const [size, want] of [
    ['10', 3],
    ['1000', null],
    ['10000', 100],
  ] as const) {
    const a = find(`get_memo_${size}`, 'nginx');
    const b = find(`get_memo_${size}`, 'original');
    const v = Number(ratio(a, b));
    target(
      `GET /memo (${size} memos) vs the original${want ? ` ≥ ${String(want)}×` : ''}`,
      `${ratio(a, b)}×, p99 ${a ? ms(a.p99) : '–'} vs ${b ? ms(b.p99) : '–'} ms`,
      a && b ? (want === null || v >= want) && a.p99 < b.p99 : null,
    );
  }
  for (const name of ['post_memo', 'get_page']) {
    const a = find(name, 'nginx');
    const b = find(name, 'original');
    target(
      `${name} vs the original, lower p99`,
      `${ratio(a, b)}×, p99 ${a ? ms(a.p99) : '–'} vs ${b ? ms(b.p99) : '–'} ms`,
      a && b ? a.p99 < b.p99 : null,
    );
  }
  for (const x of r.memory.filter((p) => p.process.endsWith('-service'))) {
    target(
      `${x.process}: idle < 80 MB, under load < 150 MB`,
      `${String(x.idleMb)} / ${String(x.peakMb)} MB`,
      x.idleMb < 80 && x.peakMb < 150,
    );
  }
  for (const [name, times] of Object.entries(r.ready)) {
    target(
      `${name} ready < 1 s after start`,
      `${String(median(times))} ms (${times.join(', ')})`,
      median(times) < 1000,
    );
  }
  lines.push('');
  lines.push('| process | idle RSS MB | peak RSS MB under load |');
  lines.push('| --- | ---: | ---: |');
  for (const x of r.memory) lines.push(`| ${x.process} | ${String(x.idleMb)} | ${String(x.peakMb)} |`);
  for (const a of r.abuse) lines.push('', ...renderAbuse(a));
  for (const h of r.heavy) lines.push('', ...renderHeavy(h));
  return lines.join('\n');
}

await main();
