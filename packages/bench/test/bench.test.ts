import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * `npm run bench` end to end, shortened (two scenarios, one run of one second): it starts what
 * it needs on a fresh machine, logs in, seeds, measures with the load process, and writes a
 * result whose memo and floor answers were all 2xx. The figures themselves belong to
 * docs/benchmarks.md, not to a test.
 */

const BENCH = fileURLToPath(new URL('../dist/bench.js', import.meta.url));

interface Result {
  machine: { cores: number };
  measured: { name: string; via: string; rps: number; errors: number; runs: unknown[] }[];
  memory: { process: string; idleMb: number; peakMb: number }[];
  ready: Record<string, number[]>;
}

describe('npm run bench', () => {
  it('runs on its own and writes medians, memory and time to ready', { timeout: 120_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'memo-bench-test-'));
    try {
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [BENCH], {
          env: {
            ...process.env,
            BENCH_RUNS: '1',
            BENCH_DURATION: '1',
            BENCH_CONNECTIONS: '8',
            BENCH_ONLY: '^get_memo_10@(service|floor)$',
            BENCH_BASELINE: 'off',
            BENCH_OUT: out,
          },
          stdio: 'ignore',
        });
        child.once('exit', resolve);
      });
      expect(code).toBe(0);
      const result = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Result;
      expect(result.machine.cores).toBeGreaterThan(0);
      expect(result.measured.map((m) => `${m.name}@${m.via}`)).toEqual(['get_memo_10@service', 'get_memo_10@floor']);
      for (const m of result.measured) {
        expect(m.runs).toHaveLength(1);
        expect(m.rps).toBeGreaterThan(0);
        expect(m.errors).toBe(0);
      }
      expect(result.memory.map((m) => m.process)).toEqual(
        expect.arrayContaining(['auth-service', 'memo-service', 'web-service', 'floor']),
      );
      for (const m of result.memory) expect(m.idleMb).toBeGreaterThan(0);
      expect(Object.keys(result.ready).sort()).toEqual(['auth-service', 'memo-service', 'web-service']);
      expect(readFileSync(join(out, 'latest.md'), 'utf8')).toMatch(/≥ 70% of the floor/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
