/**
 * The regression gate: `npm run bench -- --against [ref]` measures the working tree and a git
 * ref side by side in one run on this machine. The ref is checked out as a git worktree (in the
 * system's temporary folder, kept for the next run), given the tree's node_modules when the
 * lock files agree (else its own `npm ci`), and built there; each side then runs as `npm start`
 * runs it (side.js), with a Redis and an nginx of its own. The hot routes are driven in pairs —
 * the two sides one after the other, the order swapped each run — and each ratio is the median
 * of the runs' ratios. A hot route that loses more than 10% is called out in red.
 *
 * The ref: the argument, else the last release tag, else origin/main, else HEAD (what the
 * working tree changed since the last commit). BENCH_DURATION, BENCH_RUNS, BENCH_CONNECTIONS,
 * BENCH_ONLY and BENCH_OUT as for the bench; `--strict` exits 1 when a route is called out.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, load, log, median } from './processes.js';
import { machine } from './report.js';
import { CONNECTIONS, DURATION, ONLY, OUT, RUNS, addThenDelete, editMemo, loadSpec, postMemo } from './settings.js';
import { startSide, type Side } from './sides.js';
import type { LoadResult, LoadSpec } from './types.js';
import { git, prepareTree, resolveRef } from './worktree.js';

/** A hot route slower than this share of the ref is called out. */
export const LOSS_CALLED_OUT = 0.9;
/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** A hot route, driven the same way on both sides; `process` is the one whose CPU it costs. */
interface GateScenario {
  name: string;
  via: 'service' | 'nginx';
  process: 'memo' | 'auth' | 'web';
  spec(side: Side): LoadSpec | null;
}

export const GATE_SCENARIOS: GateScenario[] = [
  {
    name: 'get_memo_10',
    via: 'service',
    process: 'memo',
    spec: (s) => loadSpec(s.services.memo.url, { cookie: s.cookies.u10 }),
  },
  {
    name: 'get_memo_10',
    via: 'nginx',
    process: 'memo',
    spec: (s) => (s.nginx ? loadSpec(`${s.nginx}memo`, { cookie: s.cookies.u10 }) : null),
  },
  {
    name: 'get_memo_1000',
    via: 'service',
    process: 'memo',
    spec: (s) => loadSpec(s.services.memo.url, { cookie: s.cookies.u1000 }),
  },
  {
    name: 'post_memo',
    via: 'service',
    process: 'memo',
    spec: (s) => loadSpec(s.services.memo.url, { cookie: s.cookies.post }, [postMemo('/')]),
  },
  {
    name: 'post_memo',
    via: 'nginx',
    process: 'memo',
    spec: (s) => (s.nginx ? loadSpec(s.nginx, { cookie: s.cookies.post }, [postMemo('/memo')]) : null),
  },
  {
    // Edits of memos picked at random among 1,000, two texts in turn: what an edit costs, its
    // history included once the tree keeps one.
    name: 'put_memo',
    via: 'service',
    process: 'memo',
    spec: (s) =>
      loadSpec(s.services.memo.url, { cookie: s.cookies.edit }, [
        editMemo(s.editPaths, 'an edited memo of about fifty bytes, for the bench'),
        editMemo(s.editPaths, 'an edited memo of about fifty bytes, for the bench, again'),
      ]),
  },
  {
    // A new memo and its delete, in turn on each connection (to the trash, as memo's default).
    name: 'post_delete_memo',
    via: 'service',
    process: 'memo',
    spec: (s) => loadSpec(s.services.memo.url, { cookie: s.cookies.post }, addThenDelete('/')),
  },
  {
    name: 'get_me',
    via: 'service',
    process: 'auth',
    spec: (s) => loadSpec(`${s.services.auth.url}me`, { cookie: s.cookies.u10 }),
  },
  {
    name: 'get_page',
    via: 'nginx',
    process: 'web',
    spec: (s) => (s.nginx ? loadSpec(s.nginx, { 'accept-encoding': 'gzip' }) : null),
  },
];

/** CPU time a process has used, in microseconds (user + system). */
function cpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1e6;
  } catch {
    return 0;
  }
}

export interface Sample {
  rps: number;
  p99: number;
  errors: number;
  /** CPU of the process serving the route, per request. */
  cpuMicros: number;
}

export interface Compared {
  name: string;
  via: GateScenario['via'];
  ref: Sample[];
  tree: Sample[];
  /** Medians over the runs: the tree's req/s over the ref's, and its CPU per request over the ref's. */
  ratio: number;
  /** The lowest and highest of the runs' req/s ratios: how far one pair can stray on this machine. */
  spread: [number, number];
  cpuRatio: number;
  calledOut: boolean;
}

async function measure(side: Side, s: GateScenario, what: LoadSpec): Promise<Sample> {
  const pid = side.services[s.process].pid;
  const before = cpuMicros(pid);
  const r: LoadResult = await load(what);
  const used = cpuMicros(pid) - before;
  return {
    rps: r.rps,
    p99: r.p99,
    errors: r.errors + r.non2xx,
    cpuMicros: r.requests > 0 ? used / r.requests : 0,
  };
}

/** One route's runs on both sides, compared: called out when the tree lost more than 10%. */
export function compare(name: string, via: Compared['via'], ref: Sample[], tree: Sample[]): Compared {
  const ratios = runRatios(
    tree.map((x) => x.rps),
    ref.map((x) => x.rps),
  );
  const ratio = median(ratios);
  const cpuRatio = pairedRatio(
    tree.map((x) => x.cpuMicros),
    ref.map((x) => x.cpuMicros),
  );
  const spread: [number, number] = [Math.min(...ratios), Math.max(...ratios)];
  return { name, via, ref, tree, ratio, spread, cpuRatio, calledOut: ratio < LOSS_CALLED_OUT };
}

/** The runs' ratios, tree over ref, run by run. */
const runRatios = (tree: number[], ref: number[]): number[] => tree.map((t, i) => (ref[i] ? t / (ref[i] ?? 1) : 0));

/** The runs' ratios, tree over ref, run by run; their median. */
export function pairedRatio(tree: number[], ref: number[]): number {
  return median(runRatios(tree, ref));
}

export async function runGate(args: string[]): Promise<number> {
  const named = args.find((a) => !a.startsWith('--'));
  const strict = args.includes('--strict');
  const ref = resolveRef(named);
  const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
  const treeName = `working tree (${git('rev-parse', '--short=12', 'HEAD')}${dirty ? ' + changes' : ''})`;
  log(`bench: ${treeName} against ${ref.name} (${ref.sha.slice(0, 12)})`);
  const refRoot = prepareTree(ref.sha);
  const work = mkdtempSync(join(tmpdir(), 'memo-gate-'));
  const sides: Side[] = [];
  try {
    sides.push(await startSide('ref', refRoot, work));
    sides.push(await startSide('tree', ROOT, work));
    const [refSide, treeSide] = sides as [Side, Side];
    const chosen = GATE_SCENARIOS.filter((s) => ONLY.test(`${s.name}@${s.via}`) && s.spec(refSide) && s.spec(treeSide));
    log(`${String(chosen.length)} routes × 2 sides × ${String(RUNS)} runs × ${String(DURATION)} s`);
    for (const s of chosen) for (const side of sides) await load({ ...(s.spec(side) as LoadSpec), duration: 1 });
    const samples = new Map(chosen.map((s) => [s, { ref: [] as Sample[], tree: [] as Sample[] }]));
    for (let run = 0; run < RUNS; run += 1) {
      for (const s of chosen) {
        // One after the other, the order swapped each run: what drifts meanwhile hits both.
        const order = run % 2 === 0 ? [refSide, treeSide] : [treeSide, refSide];
        for (const side of order) {
          const sample = await measure(side, s, s.spec(side) as LoadSpec);
          samples.get(s)?.[side.label].push(sample);
          log(
            `run ${String(run + 1)} ${s.name}@${s.via} ${side.label}: ${sample.rps.toFixed(0)} req/s, ` +
              `${sample.cpuMicros.toFixed(0)} µs CPU/req, p99 ${String(sample.p99)} ms`,
          );
        }
      }
    }
    const compared = chosen.map((s) => {
      const { ref: r, tree: t } = samples.get(s) ?? { ref: [], tree: [] };
      return compare(s.name, s.via, r, t);
    });
    const report = renderGate({ ref, treeName, compared });
    process.stdout.write(`${colour(report)}\n`);
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'gate.md'), `${report}\n`);
    writeFileSync(
      join(OUT, 'gate.json'),
      JSON.stringify({ machine: machine(), ref, tree: treeName, runs: RUNS, duration: DURATION, compared }, null, 2),
    );
    log(`written: ${join(OUT, 'gate.md')} and gate.json`);
    return strict && compared.some((c) => c.calledOut) ? 1 : 0;
  } finally {
    for (const side of sides.reverse()) await side.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

const SLOWER = '**slower**';

/** The comparison as Markdown: one line per route, the slower ones marked. */
export function renderGate(r: { ref: { name: string; sha: string }; treeName: string; compared: Compared[] }): string {
  const med = (xs: number[]): string => median(xs).toFixed(0);
  const lines = [
    `## bench gate: ${r.treeName} against ${r.ref.name} (${r.ref.sha.slice(0, 12)})`,
    '',
    `Paired runs on one machine (${String(RUNS)} × ${String(DURATION)} s, ${String(CONNECTIONS)} connections, ` +
      `the order swapped each run); ratios are the median of the runs' ratios. A hot route below ` +
      `${LOSS_CALLED_OUT.toFixed(2)}× is ${SLOWER}. "runs" gives the lowest and highest of the runs' ratios: ` +
      `a spread wider than the loss means the machine moved more than the code, and more runs (BENCH_RUNS) say more.`,
    '',
    '| route | via | ref req/s | tree req/s | ratio | runs | ref µs CPU/req | tree µs CPU/req | CPU ratio | |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const c of r.compared) {
    lines.push(
      `| ${c.name} | ${c.via} | ${med(c.ref.map((x) => x.rps))} | ${med(c.tree.map((x) => x.rps))} | ` +
        `${c.ratio.toFixed(2)}× | ${c.spread[0].toFixed(2)}–${c.spread[1].toFixed(2)} | ${med(c.ref.map((x) => x.cpuMicros))} | ${med(c.tree.map((x) => x.cpuMicros))} | ` +
        `${c.cpuRatio.toFixed(2)}× | ${c.calledOut ? SLOWER : ''} |`,
    );
  }
  return lines.join('\n');
}

/** Red for the routes called out, when the output is a terminal (or FORCE_COLOR asks). */
export function colour(report: string, terminal = process.stdout.isTTY || Boolean(process.env.FORCE_COLOR)): string {
  if (!terminal) return report;
  return report
    .split('\n')
    .map((line) => (line.startsWith('|') && line.includes(SLOWER) ? `\u001b[31m${line}\u001b[0m` : line))
    .join('\n');
}
