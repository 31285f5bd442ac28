/**
 * The heavy-requests scenario (the budgets issue): users at the quota limits run exports, zip
 * exports, imports and tag renames, each as fast as it is answered, while another user reads
 * their first page at a steady rate. The reader's latency is compared with the reader alone;
 * refused heavy requests (429 busy: one per user, a few per process) are counted apart from
 * errors. The attackers' loop and their export file are also what the budget tests use.
 */
import type { Redis } from 'ioredis';
import { memoKeys, tagKey } from '@memo/common';
import type { LoadResult, LoadSpec } from './types.js';

export interface ExportedMemo {
  id: string;
  text: string;
  createdAt: string | null;
  updatedAt: string | null;
  pinnedAt?: string;
}

/** An export of `n` memos of ~200 bytes with 10 tags each (200 distinct in all), the first 20 pinned. */
export function fullExport(n: number): { version: 1; memos: ExportedMemo[] } {
  const at = (i: number): string => new Date(Date.UTC(2026, 0, 1) + i * 1_000).toISOString();
  return {
    version: 1,
    memos: Array.from({ length: n }, (_, i) => ({
      id: `m${String(i).padStart(11, '0')}`,
      text: `${Array.from({ length: 10 }, (_, k) => `#태그${String((i + k * 20) % 200)}`).join(' ')} ${'메모'.repeat(20)}`,
      createdAt: at(i),
      updatedAt: null,
      ...(i < 20 ? { pinnedAt: at(n + i) } : {}),
    })),
  };
}

export interface HeavyTally {
  /** Heavy requests answered 200. */
  done: number;
  /** Refused with 429 (admission). */
  refused: number;
  /** Anything else. */
  errors: number;
}

/**
 * Each of `cookies`' users runs export, export.zip, import (of `fullExport(1000)`) and a tag
 * rename in turn, each as soon as the last was answered, until `until` (ms since the epoch).
 * `base` is memo-service's address without a trailing slash.
 */
export async function heavyRequests(base: string, cookies: readonly string[], until: number): Promise<HeavyTally> {
  const tally: HeavyTally = { done: 0, refused: 0, errors: 0 };
  const file = JSON.stringify(fullExport(1_000));
  const post = (cookie: string, path: string, body: string): Promise<Response> =>
    fetch(`${base}${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body });
  const kinds = [
    (cookie: string) => fetch(`${base}/export`, { headers: { cookie } }),
    (cookie: string) => fetch(`${base}/export.zip`, { headers: { cookie } }),
    (cookie: string) => post(cookie, '/import', file),
    (cookie: string, n: number) =>
      post(cookie, '/tags/rename', JSON.stringify({ from: `태그${String(n % 2)}`, to: `태그${String((n + 1) % 2)}` })),
  ];
  await Promise.all(
    cookies.map(async (cookie, k) => {
      for (let n = 0; Date.now() < until; n++) {
        const run = kinds[(k + n) % kinds.length];
        if (!run) return;
        const res = await run(cookie, n).catch(() => null);
        await res?.arrayBuffer().catch(() => undefined);
        if (res?.status === 429) tally.refused++;
        else if (res?.status === 200) tally.done++;
        else tally.errors++;
      }
    }),
  );
  return tally;
}

export interface HeavyUser {
  cookie: string;
  id: string;
}

export interface HeavyOptions {
  /** memo-service's own address, ending in `/`, running with the chart's quotas. */
  memoUrl: string;
  redis: Redis;
  reader: HeavyUser;
  heavy: HeavyUser[];
  duration: number;
  /** The reader's requests per second. */
  readerRate: number;
  load: (spec: LoadSpec) => Promise<LoadResult>;
  log: (line: string) => void;
}

export interface HeavyResult {
  users: number;
  readerRate: number;
  readerAlone: LoadResult;
  readerUnder: LoadResult;
  tally: HeavyTally;
}

/** Empties a user's memos and fills them to the memo quota with one import. */
async function fill(o: HeavyOptions, user: HeavyUser): Promise<void> {
  const keys = memoKeys(user.id);
  const tags = await o.redis.zrange(keys.tags, 0, -1);
  const all: string[] = [keys.list, keys.older, keys.memos, keys.meta, keys.pins, keys.tags, keys.idempotency];
  await o.redis.del(...all, keys.idempotencyAt, ...tags.map((t) => tagKey(user.id, t)));
  const res = await fetch(`${o.memoUrl}import`, {
    method: 'POST',
    headers: { cookie: user.cookie, 'content-type': 'application/json' },
    body: JSON.stringify(fullExport(1_000)),
  });
  if (res.status !== 200) throw new Error(`filling a heavy user: ${String(res.status)} ${await res.text()}`);
}

export async function runHeavy(o: HeavyOptions): Promise<HeavyResult> {
  o.log(`heavy: filling ${String(o.heavy.length)} users to 1,000 memos with 10 tags each …`);
  for (const user of o.heavy) await fill(o, user);
  const reader: LoadSpec = {
    url: o.memoUrl,
    connections: 16,
    duration: o.duration,
    rate: o.readerRate,
    headers: { cookie: o.reader.cookie },
  };
  await o.load({ ...reader, duration: 1 }); // warm up
  const readerAlone = await o.load(reader);
  const until = Date.now() + o.duration * 1000;
  const [readerUnder, tally] = await Promise.all([
    o.load(reader),
    heavyRequests(
      o.memoUrl.replace(/\/$/, ''),
      o.heavy.map((u) => u.cookie),
      until,
    ),
  ]);
  o.log(
    `heavy: reader alone p99 ${String(readerAlone.p99)} ms, under heavy requests p99 ${String(readerUnder.p99)} ms; ` +
      `${String(tally.done)} done, ${String(tally.refused)} refused, ${String(tally.errors)} errors`,
  );
  return { users: o.heavy.length, readerRate: o.readerRate, readerAlone, readerUnder, tally };
}

/** Another user's p99 under heavy requests may be at most this many times alone, plus 10 ms. */
export const HEAVY_TARGET = { times: 4, plusMs: 10 };

/** The scenario's table and targets, in Markdown. */
export function renderHeavy(r: HeavyResult): string[] {
  const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));
  const row = (who: string, x: LoadResult): string =>
    `| ${who} | ${x.rps.toFixed(0)} | ${ms(x.p50)} | ${ms(x.p99)} | ${String(x.s4xx)} | ${String(x.s5xx)} | ${String(x.timeouts)} |`;
  const bound = r.readerAlone.p99 * HEAVY_TARGET.times + HEAVY_TARGET.plusMs;
  const errors = r.readerUnder.s4xx + r.readerUnder.s5xx + r.readerUnder.timeouts + r.tally.errors;
  return [
    `### heavy requests: ${String(r.users)} users at 1,000 memos running exports, zips, imports and renames`,
    '',
    `The reader asks for its first page ${String(r.readerRate)} times a second; each heavy user sends its next ` +
      `export, zip export, import of 1,000 memos or tag rename as soon as the last is answered ` +
      `(${String(r.tally.done)} answered, ${String(r.tally.refused)} refused with 429 busy: one per user, two per process).`,
    '',
    '| who | req/s | p50 ms | p99 ms | 4xx | 5xx | no answer |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('reader alone', r.readerAlone),
    row('reader under heavy requests', r.readerUnder),
    '',
    '| target | figure | met |',
    '| --- | --- | :---: |',
    `| reader p99 ≤ ${String(HEAVY_TARGET.times)}× alone + ${String(HEAVY_TARGET.plusMs)} ms | ${ms(r.readerUnder.p99)} ms (bound ${ms(bound)} ms) | ${r.readerUnder.p99 <= bound ? 'yes' : 'no'} |`,
    `| no error (reader or heavy) | ${String(errors)} | ${errors === 0 ? 'yes' : 'no'} |`,
  ];
}
