/**
 * Where a request's time goes: `npm run bench -- --profile [ref]` runs memo-service of the
 * working tree and of a ref (as the gate does) under V8's sampling profiler (every 250 µs), drives
 * one hot route at a time, and splits the service's CPU by what it was doing — the innermost
 * frame of each sample that belongs to a package or to our code names the part: the session
 * (jose), express, helmet, the log line (pino), metrics (prom-client), the Redis client
 * (ioredis), JSON, our routes and store, node's http and net, the garbage collector. Redis's own
 * time per request comes from its INFO commandstats. Printed and written to
 * bench-results/profile.{md,json}, in µs per request.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ROOT, load, log } from './processes.js';
import { CONNECTIONS, DURATION, OUT, loadSpec, postMemo } from './settings.js';
import { startSide, type Side } from './sides.js';
import type { LoadSpec } from './types.js';
import { prepareTree, resolveRef } from './worktree.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The parts a request's CPU is split into, by the url of the innermost frame that names one. */
const PARTS: [part: string, test: (url: string) => boolean][] = [
  ['session (jose)', (u) => u.includes('/node_modules/jose/')],
  ['helmet', (u) => u.includes('/node_modules/helmet/')],
  ['log line (pino)', (u) => /\/node_modules\/(pino|sonic-boom|thread-stream|pino-std-serializers)\//.test(u)],
  ['metrics (prom-client)', (u) => /\/node_modules\/(prom-client|tdigest|bintrees)\//.test(u)],
  ['redis client (ioredis)', (u) => /\/node_modules\/(ioredis|redis-parser|denque|cluster-key-slot)\//.test(u)],
  [
    'express',
    (u) =>
      /\/node_modules\/(express|router|body-parser|raw-body|finalhandler|send|serve-static|qs|cookie|on-finished|content-type|type-is|mime-types|accepts|negotiator|path-to-regexp|iconv-lite|depd|debug|http-errors|statuses)\//.test(
        u,
      ),
  ],
  ['other packages', (u) => u.includes('/node_modules/')],
  ['store (@memo/store)', (u) => u.includes('/packages/store/') || u.includes('/memo-service/dist/store')],
  ['memo-service', (u) => u.includes('/services/memo-service/')],
  ['common (@memo/common)', (u) => u.includes('/packages/common/')],
  ['node (http, net, streams)', (u) => u.startsWith('node:')],
];
const JSON_PART = 'JSON (parse, stringify)';
const GC_PART = 'garbage collector';
const OTHER_PART = 'V8 and node native (no JS frame)';

/** Microseconds of CPU in each part, from a profile (idle time left out). */
export function splitProfile(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const partOf = new Map<number, string | null>();
  const classify = (id: number): string | null => {
    const known = partOf.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    let part: string | null = null;
    if (node) {
      const { functionName, url } = node.callFrame;
      if (functionName === '(idle)') part = null;
      else if (functionName === '(garbage collector)') part = GC_PART;
      else if (url === '' && (functionName === 'stringify' || functionName === 'parse')) part = JSON_PART;
      else {
        part = PARTS.find(([, test]) => url !== '' && test(url))?.[0] ?? '';
        if (part === '') {
          const up = parent.get(id);
          part = up === undefined ? OTHER_PART : classify(up);
          if (part === null && functionName !== '(root)') part = OTHER_PART;
        }
      }
    }
    partOf.set(id, part);
    return part;
  };
  const parts = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const part = classify(id);
    if (part === null) return;
    parts.set(part, (parts.get(part) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return parts;
}

/**
 * Microseconds of CPU under each part, inclusive: a sample counts for every part on its stack
 * (helmet's setHeader calls count for helmet here, for node in splitProfile).
 */
export function inclusiveProfile(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const partsOf = new Map<number, Set<string>>();
  const collect = (id: number): Set<string> => {
    const known = partsOf.get(id);
    if (known) return known;
    const up = parent.get(id);
    const parts = new Set(up === undefined ? [] : collect(up));
    const frame = byId.get(id)?.callFrame;
    const part = frame && frame.url !== '' ? PARTS.find(([, test]) => test(frame.url))?.[0] : undefined;
    if (part) parts.add(part);
    if (frame?.url === '' && (frame.functionName === 'stringify' || frame.functionName === 'parse'))
      parts.add(JSON_PART);
    if (frame?.functionName === '(idle)') parts.add('(idle)');
    partsOf.set(id, parts);
    return parts;
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const parts = collect(id);
    if (parts.has('(idle)')) return;
    for (const part of parts) totals.set(part, (totals.get(part) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return totals;
}

/** Redis's own time in commands (µs), and the calls, since the last CONFIG RESETSTAT. */
async function redisTime(url: string): Promise<{ micros: number; calls: number }> {
  const redis = new Redis(url);
  try {
    const info = await redis.info('commandstats');
    let micros = 0;
    let calls = 0;
    for (const m of info.matchAll(/^cmdstat_[^:]+:calls=(\d+),usec=(\d+),/gm)) {
      calls += Number(m[1]);
      micros += Number(m[2]);
    }
    return { micros, calls };
  } finally {
    redis.disconnect();
  }
}

interface Route {
  name: string;
  spec(side: Side): LoadSpec;
}
const ROUTES: Route[] = [
  { name: 'GET /memo (10 memos)', spec: (s) => loadSpec(s.services.memo.url, { cookie: s.cookies.u10 }) },
  { name: 'POST /memo', spec: (s) => loadSpec(s.services.memo.url, { cookie: s.cookies.post }, [postMemo('/')]) },
];

export interface Breakdown {
  side: 'ref' | 'tree';
  route: string;
  requests: number;
  /** µs of memo-service CPU per request, by part (self, and inclusive); and Redis's own µs per request. */
  parts: Record<string, number>;
  inclusive: Record<string, number>;
  total: number;
  redis: number;
}

/**
 * Loaded into every process of a side (NODE_OPTIONS --require; `--cpu-prof` itself is not allowed
 * there): the first SIGUSR2 starts V8's profiler, the second writes what it sampled to
 * `$MEMO_CPU_PROFILE_DIR/<pid>.cpuprofile` (so the start of the process is not in it). Only
 * memo-service is sent the signals.
 */
const PRELOAD = `'use strict';
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const session = new Session();
session.connect();
let running = false;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 250 });
    session.post('Profiler.start');
    return;
  }
  session.post('Profiler.stop', (err, result) => {
    if (!err) writeFileSync(process.env.MEMO_CPU_PROFILE_DIR + '/' + process.pid + '.cpuprofile', JSON.stringify(result.profile));
  });
});
`;

async function profileOnce(label: Side['label'], root: string, route: Route): Promise<Breakdown> {
  const work = mkdtempSync(join(tmpdir(), 'memo-profile-'));
  const profiles = join(work, 'profiles');
  mkdirSync(profiles);
  const preload = join(work, 'cpu-profile.cjs');
  writeFileSync(preload, PRELOAD);
  const side = await startSide(label, root, work, {
    NODE_OPTIONS: `--require ${preload}`,
    MEMO_CPU_PROFILE_DIR: profiles,
  });
  let requests = 1;
  let redis = { micros: 0, calls: 0 };
  const pid = side.services.memo.pid;
  const file = join(profiles, `${String(pid)}.cpuprofile`);
  try {
    await load({ ...route.spec(side), duration: 1 }); // warm up (JIT, connections), not profiled
    process.kill(pid, 'SIGUSR2');
    const redisBefore = await redisTime(side.redisUrl);
    const measured = await load(route.spec(side));
    requests = measured.requests;
    const redisAfter = await redisTime(side.redisUrl);
    redis = { micros: redisAfter.micros - redisBefore.micros, calls: measured.requests };
    process.kill(pid, 'SIGUSR2');
    for (let i = 0; i < 100 && !existsSync(file); i += 1) await new Promise((r) => setTimeout(r, 50));
  } finally {
    await side.stop();
  }
  if (!existsSync(file)) throw new Error(`no profile of memo-service (pid ${String(pid)}) in ${profiles}`);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const parts = splitProfile(profile);
  const inclusive = Object.fromEntries(
    [...inclusiveProfile(profile)].map(([part, micros]) => [part, micros / requests]),
  );
  // BENCH_KEEP_PROFILES=<dir>: the profiles stay, to open in Chrome's DevTools or speedscope.
  const keep = process.env.BENCH_KEEP_PROFILES;
  if (keep) {
    mkdirSync(keep, { recursive: true });
    writeFileSync(join(keep, `${label}-${route.name.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(profile));
  }
  rmSync(work, { recursive: true, force: true });
  const perRequest = Object.fromEntries([...parts].map(([part, micros]) => [part, micros / requests]));
  const total = Object.values(perRequest).reduce((a, b) => a + b, 0);
  return {
    side: label,
    route: route.name,
    requests,
    parts: perRequest,
    inclusive,
    total,
    redis: redis.micros / Math.max(1, redis.calls),
  };
}

export async function runProfile(args: string[]): Promise<number> {
  const ref = resolveRef(args.find((a) => !a.startsWith('--')));
  const refRoot = prepareTree(ref.sha);
  const results: Breakdown[] = [];
  for (const route of ROUTES) {
    for (const [label, root] of [
      ['ref', refRoot],
      ['tree', ROOT],
    ] as const) {
      log(`profiling ${route.name} on ${label} …`);
      results.push(await profileOnce(label, root, route));
    }
  }
  const report = renderProfile(ref, results);
  process.stdout.write(`${report}\n`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'profile.md'), `${report}\n`);
  writeFileSync(join(OUT, 'profile.json'), JSON.stringify({ ref, results }, null, 2));
  return 0;
}

/** One table per route: each part's µs per request on both sides, largest first. */
export function renderProfile(ref: { name: string; sha: string }, results: Breakdown[]): string {
  const lines = [
    `## profile: memo-service, working tree against ${ref.name} (${ref.sha.slice(0, 12)})`,
    '',
    `µs of memo-service CPU per request by part (V8's sampling profiler, every 250 µs, ` +
      `${String(DURATION)} s at ${String(CONNECTIONS)} connections), and Redis's own time per request.`,
  ];
  const f = (n: number | undefined): string => (n === undefined ? '–' : n.toFixed(1));
  for (const route of [...new Set(results.map((r) => r.route))]) {
    const refSide = results.find((r) => r.route === route && r.side === 'ref');
    const tree = results.find((r) => r.route === route && r.side === 'tree');
    const parts = [...new Set([...Object.keys(refSide?.parts ?? {}), ...Object.keys(tree?.parts ?? {})])].sort(
      (a, b) => (tree?.parts[b] ?? 0) - (tree?.parts[a] ?? 0),
    );
    lines.push(
      '',
      `### ${route}`,
      '',
      '| part | ref µs/req | tree µs/req | tree − ref |',
      '| --- | ---: | ---: | ---: |',
    );
    for (const part of parts) {
      const a = refSide?.parts[part] ?? 0;
      const b = tree?.parts[part] ?? 0;
      lines.push(`| ${part} | ${f(a)} | ${f(b)} | ${(b - a >= 0 ? '+' : '') + f(b - a)} |`);
    }
    lines.push(`| **memo-service, all** | **${f(refSide?.total)}** | **${f(tree?.total)}** | |`);
    lines.push(`| Redis, its own time | ${f(refSide?.redis)} | ${f(tree?.redis)} | |`);
    lines.push('', "Inclusive (a part and all it calls, node's included):", '');
    lines.push('| part | ref µs/req | tree µs/req | tree − ref |', '| --- | ---: | ---: | ---: |');
    const inclusive = [...new Set([...Object.keys(refSide?.inclusive ?? {}), ...Object.keys(tree?.inclusive ?? {})])];
    inclusive.sort((x, y) => (tree?.inclusive[y] ?? 0) - (tree?.inclusive[x] ?? 0));
    for (const part of inclusive) {
      const x = refSide?.inclusive[part] ?? 0;
      const y = tree?.inclusive[part] ?? 0;
      lines.push(`| ${part} | ${f(x)} | ${f(y)} | ${(y - x >= 0 ? '+' : '') + f(y - x)} |`);
    }
  }
  return lines.join('\n');
}
