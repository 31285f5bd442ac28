import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { startRedis, type LocalRedis } from '@memo/stack';
import { heavyRequests } from '@memo/bench/heavy';
import { sessionCookie } from '@memo/testing/services';
import { residentMb, spawnService, waitFor, type ServiceProcess } from '@memo/testing/process';
import { sessionKeys, type KeyPair } from '@memo/testing/env';

/**
 * What the budget tests measure memo-service with: the service as its own process (its event
 * loop and memory are its own) on a Redis of its own (so every command counted is its), and a
 * client that counts and times from outside.
 */
export interface Bench {
  redis: LocalRedis;
  client: Redis;
  memo: ServiceProcess;
  keys: KeyPair;
  stop(): Promise<void>;
}

export async function startBench(env: NodeJS.ProcessEnv = {}): Promise<Bench> {
  const redis = await startRedis();
  const client = new Redis(redis.url);
  const keys = sessionKeys();
  const memo = await spawnService('memo-service', {
    REDIS_URL: redis.url,
    SESSION_PUBLIC_KEY: keys.publicPem,
    MEMO_WRITE_RATE_LIMIT: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
  await waitFor(async () => (await fetch(`${memo.adminUrl}/readyz`)).ok, 10_000, 'memo-service ready');
  return {
    redis,
    client,
    memo,
    keys,
    stop: async () => {
      memo.process.kill('SIGTERM');
      await memo.exited;
      client.disconnect();
      await redis.stop();
    },
  };
}

/** A session cookie of a new user on the bench's Redis. */
export const cookieFor = (bench: Bench, userId: string): Promise<string> =>
  sessionCookie(bench.keys, userId, bench.client);

/** Commands that are the test's own or the service's housekeeping, not a request's work. */
const HOUSEKEEPING = new Set(['info', 'ping', 'client', 'hello', 'select', 'config', 'memory', 'slowlog', 'command']);

/** Every command Redis ran so far (scripts' inner commands included), housekeeping aside. */
export async function commandsSoFar(client: Redis): Promise<number> {
  const stats = await client.info('commandstats');
  let total = 0;
  for (const m of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const name = (m[1] ?? '').split('|')[0] ?? '';
    if (!HOUSEKEEPING.has(name)) total += Number(m[2]);
  }
  return total;
}

/**
 * The longest the service's event loop was held since the last call, in ms: prom-client's
 * `nodejs_eventloop_lag_max_seconds` (monitorEventLoopDelay, 10 ms resolution), reset by
 * each scrape.
 */
export async function loopHeldMs(memo: ServiceProcess): Promise<number> {
  const text = await (await fetch(`${memo.adminUrl}/metrics`)).text();
  const m = /^nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? (\S+)$/m.exec(text);
  return m ? Number(m[1]) * 1000 : Number.NaN;
}

/** The service process's resident memory now, in MB. */
export const rssMb = (memo: ServiceProcess): number => residentMb(memo.process.pid ?? 0);

export interface Cost<T> {
  value: T;
  /** Wall time, ms. */
  ms: number;
  /** Redis commands it ran. */
  commands: number;
  /** The longest the event loop was held meanwhile, ms. */
  held: number;
}

/** Runs `work` alone and says what it cost. */
export async function cost<T>(bench: Bench, work: () => Promise<T>): Promise<Cost<T>> {
  await loopHeldMs(bench.memo);
  const before = await commandsSoFar(bench.client);
  const start = performance.now();
  const value = await work();
  const ms = performance.now() - start;
  const commands = (await commandsSoFar(bench.client)) - before;
  return { value, ms, commands, held: await loopHeldMs(bench.memo) };
}

/** The worst content for each parser a memo meets, MAX characters each (the longest memo). */
export function worstTexts(max: number): Record<string, string> {
  const fill = (unit: string): string => unit.repeat(Math.ceil(max / unit.length)).slice(0, max);
  let runs = '';
  for (let k = 1; runs.length < max; k += 1) runs += `${'`'.repeat(k)}a`;
  let lists = '';
  for (let depth = 0; lists.length < max; depth = (depth + 1) % 60) lists += `${'  '.repeat(depth)}- [ ] x\n`;
  return {
    'one run of backticks': fill('`'),
    'backtick pairs': fill('`a'),
    'backtick runs of every length': runs.slice(0, max),
    'fences never closed': fill('```\n'),
    'control characters': fill('\u0001'),
    'quotes and backslashes': fill('"\\'),
    'deep task lists': lists.slice(0, max),
    'many tags': fill('#t가 '),
    'a tag of slashes': `#a${'/'.repeat(max - 3)}b`,
    Hangul: fill('가'),
    'HTML and links': fill('<a href="javascript:x">[x](y)</a>'),
  };
}

export { fullExport } from '@memo/bench/heavy';

export interface LoadResult {
  /** Heavy requests answered 200, and refused (429 busy). */
  done: number;
  refused: number;
  /** Any other answer to anyone, or a probe not 200. */
  errors: number;
  /** The reader's request times, ms, sorted. */
  reads: number[];
  /** The probes' times, ms. */
  probes: number[];
  /** Resident memory at the start and at its highest, MB. */
  idleMb: number;
  peakMb: number;
}

/**
 * One user each in `heavy` runs exports, zips, imports and tag renames in turn, as fast as they
 * are answered, for `seconds`; meanwhile `reader` reads their first page every 20 ms and the
 * admin port's /healthz is asked every 100 ms (with the chart's 2 s probe timeout).
 */
export async function heavyLoad(opts: {
  url: string;
  adminUrl: string;
  heavy: string[];
  reader: string;
  seconds: number;
  rss: () => number;
}): Promise<LoadResult> {
  const { url, adminUrl, heavy, reader } = opts;
  const until = Date.now() + opts.seconds * 1000;
  const result: LoadResult = { done: 0, refused: 0, errors: 0, reads: [], probes: [], idleMb: opts.rss(), peakMb: 0 };
  result.peakMb = result.idleMb;
  const attackers = heavyRequests(url, heavy, until).then((tally) => {
    result.done = tally.done;
    result.refused = tally.refused;
    result.errors += tally.errors;
  });
  const readerLoop = (async () => {
    while (Date.now() < until) {
      const start = performance.now();
      const res = await fetch(`${url}/`, { headers: { cookie: reader } });
      await res.arrayBuffer();
      result.reads.push(performance.now() - start);
      if (res.status !== 200) result.errors++;
      result.peakMb = Math.max(result.peakMb, opts.rss());
      await sleep(20);
    }
  })();
  const probeLoop = (async () => {
    while (Date.now() < until) {
      const start = performance.now();
      const res = await fetch(`${adminUrl}/healthz`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
      result.probes.push(performance.now() - start);
      if (res?.status !== 200) result.errors++;
      await sleep(100);
    }
  })();
  await Promise.all([attackers, readerLoop, probeLoop]);
  result.reads.sort((a, b) => a - b);
  return result;
}

/** One line for the test's output and docs/benchmarks.md. */
export function describeLoad(r: LoadResult): string {
  const p99 = r.reads[Math.floor(r.reads.length * 0.99)] ?? 0;
  return `heavy: ${String(r.done)} done, ${String(r.refused)} refused, ${String(r.errors)} errors; reader: ${String(r.reads.length)} reads, p99 ${p99.toFixed(0)} ms, worst ${(r.reads.at(-1) ?? 0).toFixed(0)} ms; probe worst ${Math.max(...r.probes).toFixed(0)} ms; RSS ${r.idleMb.toFixed(0)} -> ${r.peakMb.toFixed(0)} MB`;
}
