/** The bench's report: the table of medians, the targets met or not, memory; as Markdown. */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { renderAbuse, type AbuseResult } from './abuse.js';
import { renderHeavy, type HeavyResult } from './heavy.js';
import { median } from './processes.js';
import type { Measured, Memory, Scenario } from './types.js';

export function machine(): Record<string, string | number> {
  const redisVersion = /v=(\S+)/.exec(spawnSync('redis-server', ['--version']).stdout.toString())?.[1] ?? '?';
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? '?',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: redisVersion,
  };
}

/** How the scenarios were driven. */
export interface Settings {
  duration: number;
  runs: number;
  connections: number;
}

export const settingsOf = (s: Settings): Record<string, number | string> => ({
  durationSeconds: s.duration,
  runs: s.runs,
  connections: s.connections,
  loadGenerator: 'autocannon (separate process, same machine)',
});

export function render(r: {
  started: Date;
  settings: Settings;
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
      `The load generator (autocannon, its own process) shares the machine. ${String(r.settings.connections)} connections, ` +
      `${String(r.settings.runs)} runs of ${String(r.settings.duration)} s per scenario, medians. Original stack: ${r.baseline}.`,
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
