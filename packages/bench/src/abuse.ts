/**
 * The abuse scenario: two users at the memo-count cap, one seeded as the original app and the
 * previous layout left their lists (plain strings and v1 JSON entries), one in the store's
 * current layout, both hammer edit and delete of existing and missing ids (and add, to stay at
 * the cap) with the write limit off, while another user reads their first page. The reader's
 * latency is compared with the reader alone, and Redis's own SLOWLOG names the slowest
 * command it ran meanwhile.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { seedLegacy } from '@memo/memo-service/seed';
import type { LoadResult, LoadSpec, RequestSpec } from './types.js';

export interface BenchUser {
  cookie: string;
  id: string;
}

/** Seeds `texts` (oldest first) for `userId` with raw Redis commands; returns their ids. */
export type Seeder = (redis: Redis, userId: string, texts: readonly string[]) => Promise<string[]>;

export interface AbuseOptions {
  /** memo-service's own address, ending in `/`. */
  memoUrl: string;
  redis: Redis;
  reader: BenchUser;
  legacy: BenchUser;
  current: BenchUser;
  /** Memos each attacker holds (the cap). */
  memos: number;
  /** Size of each seeded memo, in bytes. */
  textBytes: number;
  duration: number;
  readerConnections: number;
  attackerConnections: number;
  /** Requests per second: the reader's, and each attacker's. */
  readerRate: number;
  attackerRate: number;
  seedCurrent: Seeder;
  load: (spec: LoadSpec) => Promise<LoadResult>;
  log: (line: string) => void;
}

export interface SlowCommand {
  micros: number;
  command: string;
  key: string;
}

export interface AbuseResult {
  memos: number;
  textBytes: number;
  readerRate: number;
  attackerRate: number;
  readerAlone: LoadResult;
  readerUnderAbuse: LoadResult;
  attackers: { legacy: LoadResult; current: LoadResult };
  /** The slowest Redis commands while under abuse (SLOWLOG, threshold 100 µs). */
  slowest: SlowCommand[];
  overMs: { one: number; five: number };
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** `bytes` of ASCII text, different for each `i`. */
export function filler(i: number, bytes: number): string {
  const head = `memo ${String(i)} `;
  return head + 'x'.repeat(Math.max(0, bytes - head.length));
}

const missingM = (): string => `m${Date.now().toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`;
const missingO = (): string => `o${randomBytes(10).toString('hex')}`;

async function slowlog(redis: Redis): Promise<SlowCommand[]> {
  const entries = (await redis.call('SLOWLOG', 'GET', '100000')) as [number, number, number, string[]][];
  return entries
    .map(([, , micros, args]) => ({ micros, command: (args[0] ?? '').toLowerCase(), key: args[3] ?? args[1] ?? '' }))
    .sort((a, b) => b.micros - a.micros);
}

export async function runAbuse(o: AbuseOptions): Promise<AbuseResult> {
  o.log(`abuse: seeding two users with ${String(o.memos)} memos of ${String(o.textBytes)} bytes …`);
  const texts = Array.from({ length: o.memos }, (_, i) => filler(i, o.textBytes));
  const legacyIds = await seedLegacy(o.redis, o.legacy.id, texts);
  const currentIds = await o.seedCurrent(o.redis, o.current.id, texts);
  const body = JSON.stringify({ text: filler(-1, o.textBytes) });
  const attack = (ids: string[]): RequestSpec[] => {
    const existing = ids.map((id) => `/${id}`);
    const missing = Array.from({ length: 200 }, (_, i) => `/${i % 2 ? missingM() : missingO()}`);
    return [
      { method: 'PUT', pick: existing, body, headers: JSON_HEADERS },
      { method: 'DELETE', pick: missing },
      { method: 'PUT', pick: missing, body, headers: JSON_HEADERS },
      { method: 'DELETE', pick: existing },
      { method: 'POST', path: '/', body, headers: JSON_HEADERS },
    ];
  };
  const reader: LoadSpec = {
    url: o.memoUrl,
    connections: o.readerConnections,
    duration: o.duration,
    rate: o.readerRate,
    headers: { cookie: o.reader.cookie },
  };
  const attacker = (user: BenchUser, ids: string[]): LoadSpec => ({
    url: o.memoUrl,
    connections: o.attackerConnections,
    duration: o.duration,
    rate: o.attackerRate,
    headers: { cookie: user.cookie },
    requests: attack(ids),
  });

  await o.load({ ...reader, duration: 1 }); // warm up
  const readerAlone = await o.load(reader);
  o.log(`abuse: reader alone ${readerAlone.rps.toFixed(0)} req/s, p99 ${String(readerAlone.p99)} ms`);

  const config = async (name: string, value: string): Promise<string> => {
    const [, before] = (await o.redis.config('GET', name)) as [string, string];
    await o.redis.config('SET', name, value);
    return before;
  };
  const threshold = await config('slowlog-log-slower-than', '100');
  const length = await config('slowlog-max-len', '100000');
  await o.redis.call('SLOWLOG', 'RESET');
  let slow: SlowCommand[];
  let readerUnderAbuse: LoadResult;
  let legacy: LoadResult;
  let current: LoadResult;
  try {
    [readerUnderAbuse, legacy, current] = await Promise.all([
      o.load(reader),
      o.load(attacker(o.legacy, legacyIds)),
      o.load(attacker(o.current, currentIds)),
    ]);
    slow = await slowlog(o.redis);
  } finally {
    await o.redis.config('SET', 'slowlog-log-slower-than', threshold);
    await o.redis.config('SET', 'slowlog-max-len', length);
  }
  o.log(
    `abuse: reader under abuse ${readerUnderAbuse.rps.toFixed(0)} req/s, p99 ${String(readerUnderAbuse.p99)} ms, ` +
      `5xx ${String(readerUnderAbuse.s5xx)}, timeouts ${String(readerUnderAbuse.timeouts)}; ` +
      `slowest Redis command ${String(slow[0]?.micros ?? 0)} µs`,
  );
  return {
    memos: o.memos,
    textBytes: o.textBytes,
    readerRate: o.readerRate,
    attackerRate: o.attackerRate,
    readerAlone,
    readerUnderAbuse,
    attackers: { legacy, current },
    slowest: slow.slice(0, 5),
    overMs: { one: slow.filter((s) => s.micros > 1000).length, five: slow.filter((s) => s.micros > 5000).length },
  };
}

/** The abuse table and its targets, in Markdown. */
export function renderAbuse(r: AbuseResult): string[] {
  const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));
  const row = (who: string, x: LoadResult): string =>
    `| ${who} | ${x.rps.toFixed(0)} | ${ms(x.p50)} | ${ms(x.p99)} | ${String(x.s4xx)} | ${String(x.s5xx)} | ${String(x.timeouts)} |`;
  const ratio = r.readerAlone.p99 > 0 ? r.readerUnderAbuse.p99 / r.readerAlone.p99 : Number.NaN;
  const slowest = r.slowest[0];
  const lines = [
    `### abuse: two users at ${String(r.memos)} memos of ${String(r.textBytes)} bytes hammering edit and delete`,
    '',
    `The reader asks for its first page ${String(r.readerRate)} times a second; each attacker sends ` +
      `${String(r.attackerRate)} writes a second (edit and delete of existing and missing ids, and add).`,
    '',
    '| who | req/s | p50 ms | p99 ms | 4xx | 5xx | no answer |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('reader alone', r.readerAlone),
    row('reader under abuse', r.readerUnderAbuse),
    row('attacker (original + v1 data)', r.attackers.legacy),
    row('attacker (current layout)', r.attackers.current),
    '',
    '| target | figure | met |',
    '| --- | --- | :---: |',
    `| reader p99 under abuse ≤ 2× alone | ${Number.isNaN(ratio) ? '–' : ratio.toFixed(2)}× (${ms(r.readerUnderAbuse.p99)} vs ${ms(r.readerAlone.p99)} ms) | ${ratio <= 2 ? 'yes' : 'no'} |`,
    `| reader: no 5xx, no request without an answer | ${String(r.readerUnderAbuse.s5xx)} 5xx, ${String(r.readerUnderAbuse.timeouts)} without an answer | ${r.readerUnderAbuse.s5xx + r.readerUnderAbuse.timeouts === 0 ? 'yes' : 'no'} |`,
    `| slowest Redis command < 5 ms (SLOWLOG) | ${slowest ? `${String(slowest.micros)} µs (${slowest.command})` : 'none over 100 µs'}; ${String(r.overMs.one)} over 1 ms, ${String(r.overMs.five)} over 5 ms | ${(slowest?.micros ?? 0) < 5000 ? 'yes' : 'no'} |`,
  ];
  return lines;
}
