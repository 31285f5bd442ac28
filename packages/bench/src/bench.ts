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
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startRedis, startStack, type LocalRedis, type RunningStack } from '@memo/stack';
import { seedCurrent } from '@memo/testing/seed';
import { runAbuse, type AbuseResult } from './abuse.js';
import { runHeavy, type HeavyResult } from './heavy.js';
import { nginxConfig, seedPlain } from './original.js';
import {
  ROOT,
  has,
  here,
  load,
  log,
  median,
  memoServiceLike,
  readyTimes,
  rssMb,
  startProcess,
  stopProcess,
} from './processes.js';
import { machine, render, settingsOf, type Settings } from './report.js';
import type { LoadResult, Measured, Memory, RequestSpec, Scenario } from './types.js';
import { CONNECTIONS, DURATION, ONLY, OUT, RUNS, loadSpec, postMemo } from './settings.js';
import { logIn } from './users.js';

const TARGET = process.env.BENCH_URL;
const TARGET_REDIS = process.env.BENCH_REDIS_URL;
const BASELINE_DIR =
  process.env.BENCH_BASELINE === 'off' ? null : resolve(ROOT, process.env.BENCH_BASELINE ?? '../shared/baseline');
/** The abuse scenario's sizes: memos per attacker (the cap) × bytes per memo. */
const ABUSE = (process.env.BENCH_ABUSE ?? '1000x256,100000x1000')
  .split(',')
  .filter((s) => /^\d+x\d+$/.test(s.trim()))
  .map((s) => s.trim().split('x').map(Number) as [number, number]);

async function main(): Promise<void> {
  const started = new Date();
  const settings: Settings = { duration: DURATION, runs: RUNS, connections: CONNECTIONS };
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

    const mixed = (path: string): RequestSpec[] => [
      ...Array.from({ length: 9 }, (): RequestSpec => ({ method: 'GET', path })),
      postMemo(path),
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
        { name: `get_memo_${size}`, via: 'service', spec: loadSpec(memo, { cookie: user.cookie }) },
        { name: `get_memo_${size}`, via: 'gateway', spec: loadSpec(`${site}memo`, { cookie: user.cookie }) },
        { name: `get_memo_${size}`, via: 'floor', spec: loadSpec(floorUrl, { cookie: `userId=${user.id}` }) },
      );
    }
    // The default first page holds 20 memos, so a user with 10 gets a smaller answer; the same
    // page size (10) at 100,000 memos isolates what the list's length costs.
    scenarios.push({
      name: 'get_memo_100000_limit10',
      via: 'service',
      spec: loadSpec(`${memo}?limit=10`, { cookie: users.u100000.cookie }),
    });
    scenarios.push(
      { name: 'post_memo', via: 'service', spec: loadSpec(memo, { cookie: users.post.cookie }, [postMemo('/')]) },
      { name: 'post_memo', via: 'gateway', spec: loadSpec(site, { cookie: users.post.cookie }, [postMemo('/memo')]) },
      { name: 'mixed_90_10', via: 'service', spec: loadSpec(memo, { cookie: users.mixed.cookie }, mixed('/')) },
      { name: 'mixed_90_10', via: 'gateway', spec: loadSpec(site, { cookie: users.mixed.cookie }, mixed('/memo')) },
      { name: 'get_page', via: 'service', spec: loadSpec(web, { 'accept-encoding': 'gzip' }) },
      { name: 'get_page', via: 'gateway', spec: loadSpec(site, { 'accept-encoding': 'gzip' }) },
      { name: 'get_me', via: 'service', spec: loadSpec(`${auth}me`, { cookie: users.u10.cookie }) },
      { name: 'get_me', via: 'gateway', spec: loadSpec(`${site}auth/me`, { cookie: users.u10.cookie }) },
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
          { name: `get_memo_${size}`, via: 'nginx', spec: loadSpec(`${ours}memo`, { cookie: user.cookie }) },
          { name: `get_memo_${size}`, via: 'original', spec: loadSpec(`${theirs}memo`, { cookie: `userId=u${size}` }) },
        );
      }
      scenarios.push(
        { name: 'post_memo', via: 'nginx', spec: loadSpec(ours, { cookie: users.post.cookie }, [postMemo('/memo')]) },
        {
          name: 'post_memo',
          via: 'original',
          spec: loadSpec(theirs, { cookie: 'userId=bench-post' }, [postMemo('/memo/memo')]),
        },
        {
          name: 'get_page',
          via: 'nginx',
          spec: loadSpec(ours, { 'accept-encoding': 'gzip', cookie: users.u10.cookie }),
        },
        { name: 'get_page', via: 'original', spec: loadSpec(theirs, { cookie: 'userId=bench-user' }) },
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

    const report = render({ started, settings, measured, memory, ready, baseline, abuse, heavy });
    process.stdout.write(`${report}\n`);
    writeFileSync(join(OUT, 'latest.md'), `${report}\n`);
    writeFileSync(
      join(OUT, 'latest.json'),
      JSON.stringify(
        { machine: machine(), settings: settingsOf(settings), baseline, measured, memory, ready, abuse, heavy },
        null,
        2,
      ),
    );
    log(`written: ${join(OUT, 'latest.md')} and latest.json`);
  } finally {
    await cleanup();
  }
}

// `npm run bench -- --against [ref]`: the regression gate (gate.ts) instead of the full bench;
// `--profile [ref]`: where memo-service's time goes, on both sides (profile.ts).
const args = process.argv.slice(2);
if (args.includes('--profile')) {
  const { runProfile } = await import('./profile.js');
  process.exitCode = await runProfile(args.filter((a) => a !== '--profile'));
} else if (args.includes('--against')) {
  const { runGate } = await import('./gate.js');
  process.exitCode = await runGate(args.filter((a) => a !== '--against'));
} else {
  await main();
}
