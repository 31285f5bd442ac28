/**
 * The abuse scenario: two users at the memo-count cap, one seeded as the original app and the
 * previous layout left their lists (plain strings and v1 JSON entries), one in the store's
 * current layout, both hammer edit and delete of existing and missing ids (and add, to stay at
 * the cap) with the write limit off, while another user reads their first page. The reader's
 * latency is compared with the reader alone, and Redis's own SLOWLOG names the slowest
 * command it ran meanwhile.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import type { Redis } from 'ioredis';
import { seedLegacy } from '@memo/testing/seed';
import { SCRIPTS } from '@memo/store';
import type { LoadResult, LoadSpec, RequestSpec } from './types.js';

export interface BenchUser {
  cookie: string;
  id: string;
}

/** Seeds `texts` (oldest first) for `userId` with raw Redis commands; returns their ids. */
export type Seeder = (redis: Redis, userId: string, texts: readonly string[]) => Promise<string[]>;

export interface AbuseOptions {
  /**
   * Redis's pid, and the pids of everything else that runs meanwhile: Redis gets a core of its
   * own while the attack runs (as on a cluster node), when the machine has two or more.
   */
  redisPid: number;
  otherPids: number[];
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
  /** The attack with every process sharing the machine's cores. */
  shared: Phase;
  /** The attack again with Redis on a core of its own (`cpus` says how, or why not). */
  ownCore: Phase & { cpus: string };
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** `bytes` of ASCII text, different for each `i`. */
export function filler(i: number, bytes: number): string {
  const head = `memo ${String(i)} `;
  return head + 'x'.repeat(Math.max(0, bytes - head.length));
}

const missingM = (): string => `m${Date.now().toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`;
const missingO = (): string => `o${randomBytes(10).toString('hex')}`;

/**
 * Pins Redis to the last core and every other process (this one too, so the load generators
 * it starts inherit it) to the others; returns how to undo it. On one core, or without
 * taskset, nothing is pinned and the reason is returned.
 */
function pinRedis(redisPid: number, others: number[]): { cpus: string; undo: () => void } {
  const cores = cpus().length;
  const all = `0-${String(cores - 1)}`;
  const set = (list: string, pid: number): boolean =>
    spawnSync('taskset', ['-a', '-cp', list, String(pid)], { stdio: 'ignore' }).status === 0;
  if (cores < 2) return { cpus: 'shared (one core)', undo: () => undefined };
  const rest = cores === 2 ? '0' : `0-${String(cores - 2)}`;
  if (!set(String(cores - 1), redisPid)) return { cpus: 'shared (taskset failed)', undo: () => undefined };
  for (const pid of [process.pid, ...others]) set(rest, pid);
  return {
    cpus: `own core (Redis on core ${String(cores - 1)}, the rest on ${rest})`,
    undo: () => {
      for (const pid of [redisPid, process.pid, ...others]) set(all, pid);
    },
  };
}

/** memo-service's scripts by their SHA-1, as SLOWLOG shows them. */
const SCRIPT_NAMES = new Map(
  Object.entries(SCRIPTS).map(([name, lua]) => [createHash('sha1').update(lua).digest('hex'), name] as const),
);

/** SLOWLOG's entries, slowest first; a script is named (`evalsha MOVE`), a key shown. */
async function slowlog(redis: Redis): Promise<SlowCommand[]> {
  const entries = (await redis.call('SLOWLOG', 'GET', '100000')) as [number, number, number, string[]][];
  return entries
    .map(([, , micros, args]) => {
      const command = (args[0] ?? '').toLowerCase();
      const script = command === 'evalsha' ? SCRIPT_NAMES.get(args[1] ?? '') : undefined;
      return { micros, command: script ? `${command} ${script}` : command, key: args[3] ?? args[1] ?? '' };
    })
    .sort((a, b) => b.micros - a.micros);
}

/** One attack: the reader and both attackers at once, with Redis's SLOWLOG on. */
interface Phase {
  reader: LoadResult;
  attackers: { legacy: LoadResult; current: LoadResult };
  /** The slowest Redis commands meanwhile (SLOWLOG, every command over 100 µs). */
  slowest: SlowCommand[];
  overMs: { one: number; five: number };
}

export async function runAbuse(o: AbuseOptions): Promise<AbuseResult> {
  const texts = Array.from({ length: o.memos }, (_, i) => filler(i, o.textBytes));
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
  const config = async (name: string, value: string): Promise<string> => {
    const [, before] = (await o.redis.config('GET', name)) as [string, string];
    await o.redis.config('SET', name, value);
    return before;
  };

  /** Seeds both attackers afresh (the legacy one is migrated again by the attack) and attacks. */
  const phase = async (pin: boolean): Promise<{ result: Phase; cpus: string }> => {
    o.log(`abuse: seeding two users with ${String(o.memos)} memos of ${String(o.textBytes)} bytes …`);
    const legacyIds = await seedLegacy(o.redis, o.legacy.id, texts);
    const currentIds = await o.seedCurrent(o.redis, o.current.id, texts);
    const threshold = await config('slowlog-log-slower-than', '100');
    const length = await config('slowlog-max-len', '100000');
    await o.redis.call('SLOWLOG', 'RESET');
    const pinned = pin ? pinRedis(o.redisPid, o.otherPids) : { cpus: 'shared with everything', undo: () => undefined };
    try {
      const [underAbuse, legacy, current] = await Promise.all([
        o.load(reader),
        o.load(attacker(o.legacy, legacyIds)),
        o.load(attacker(o.current, currentIds)),
      ]);
      const slow = await slowlog(o.redis);
      o.log(
        `abuse (Redis ${pinned.cpus}): reader ${underAbuse.rps.toFixed(0)} req/s, p99 ${String(underAbuse.p99)} ms, ` +
          `5xx ${String(underAbuse.s5xx)}; slowest Redis command ${String(slow[0]?.micros ?? 0)} µs`,
      );
      return {
        cpus: pinned.cpus,
        result: {
          reader: underAbuse,
          attackers: { legacy, current },
          slowest: slow.slice(0, 5),
          overMs: { one: slow.filter((x) => x.micros > 1000).length, five: slow.filter((x) => x.micros > 5000).length },
        },
      };
    } finally {
      pinned.undo();
      await o.redis.config('SET', 'slowlog-log-slower-than', threshold);
      await o.redis.config('SET', 'slowlog-max-len', length);
    }
  };

  await o.load({ ...reader, duration: 1 }); // warm up
  const readerAlone = await o.load(reader);
  o.log(`abuse: reader alone ${readerAlone.rps.toFixed(0)} req/s, p99 ${String(readerAlone.p99)} ms`);
  const shared = await phase(false);
  const own = await phase(true);
  return {
    memos: o.memos,
    textBytes: o.textBytes,
    readerRate: o.readerRate,
    attackerRate: o.attackerRate,
    readerAlone,
    shared: shared.result,
    ownCore: { ...own.result, cpus: own.cpus },
  };
}

/** The abuse tables and their targets, in Markdown. */
export function renderAbuse(r: AbuseResult): string[] {
  const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(1));
  const row = (who: string, x: LoadResult): string =>
    `| ${who} | ${x.rps.toFixed(0)} | ${ms(x.p50)} | ${ms(x.p99)} | ${String(x.s4xx)} | ${String(x.s5xx)} | ${String(x.timeouts)} |`;
  const ratio = r.readerAlone.p99 > 0 ? r.shared.reader.p99 / r.readerAlone.p99 : Number.NaN;
  const slowest = (p: Phase): string => {
    const top = p.slowest[0];
    return `${top ? `${String(top.micros)} µs (${top.command})` : 'none over 100 µs'}; ${String(p.overMs.one)} over 1 ms, ${String(p.overMs.five)} over 5 ms`;
  };
  const readers = [r.shared.reader, r.ownCore.reader];
  return [
    `### abuse: two users at ${String(r.memos)} memos of ${String(r.textBytes)} bytes hammering edit and delete`,
    '',
    `The reader asks for its first page ${String(r.readerRate)} times a second; each attacker sends ` +
      `${String(r.attackerRate)} writes a second (edit and delete of existing and missing ids, and add). The ` +
      `attack runs twice, each time on freshly seeded users (so the original's data is migrated under it): ` +
      `once with every process sharing the cores, once with Redis on a core of its own (${r.ownCore.cpus}), ` +
      `so that SLOWLOG shows Redis's own time rather than time it waited for a core.`,
    '',
    '| who | req/s | p50 ms | p99 ms | 4xx | 5xx | no answer |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('reader alone', r.readerAlone),
    row('reader under abuse', r.shared.reader),
    row('attacker (original + v1 data)', r.shared.attackers.legacy),
    row('attacker (current layout)', r.shared.attackers.current),
    row('reader under abuse, Redis on its own core', r.ownCore.reader),
    '',
    '| target | figure | met |',
    '| --- | --- | :---: |',
    `| reader p99 under abuse ≤ 2× alone | ${Number.isNaN(ratio) ? '–' : ratio.toFixed(2)}× (${ms(r.shared.reader.p99)} vs ${ms(r.readerAlone.p99)} ms) | ${ratio <= 2 ? 'yes' : 'no'} |`,
    `| reader: no 5xx, no request without an answer | ${readers.map((x) => `${String(x.s5xx)} 5xx, ${String(x.timeouts)} without an answer`).join('; ')} | ${readers.every((x) => x.s5xx + x.timeouts === 0) ? 'yes' : 'no'} |`,
    `| slowest Redis command < 5 ms (SLOWLOG, Redis on its own core) | ${slowest(r.ownCore)} | ${(r.ownCore.slowest[0]?.micros ?? 0) < 5000 ? 'yes' : 'no'} |`,
    `| (the same, Redis sharing the cores with the load) | ${slowest(r.shared)} | – |`,
  ];
}
