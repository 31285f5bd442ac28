import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBench } from './run-bench.js';

/**
 * `npm run bench` end to end, shortened (two scenarios, one run of one second): it starts what
 * it needs on a fresh machine, logs in, seeds, measures with the load process, and writes a
 * result whose memo and floor answers were all 2xx. The figures themselves belong to
 * docs/benchmarks.md, not to a test.
 */

interface Attack {
  reader: { requests: number; s5xx: number; timeouts: number };
  attackers: Record<'legacy' | 'current', { requests: number; s4xx: number; s5xx: number }>;
}

interface Result {
  machine: { cores: number };
  measured: { name: string; via: string; rps: number; errors: number; runs: unknown[] }[];
  memory: { process: string; idleMb: number; peakMb: number }[];
  ready: Record<string, number[]>;
  abuse: {
    memos: number;
    readerAlone: { requests: number; s5xx: number };
    shared: Attack;
    ownCore: Attack;
  }[];
}

describe('npm run bench', () => {
  it('runs on its own and writes medians, memory and time to ready', { timeout: 120_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'memo-bench-test-'));
    try {
      const code = await runBench([], out, {
        BENCH_ONLY: '^(get_memo_10@(service|floor)|abuse@service)$',
        BENCH_ABUSE: '300x200',
        BENCH_ABUSE_READ_RATE: '200',
        BENCH_ABUSE_WRITE_RATE: '100',
        BENCH_BASELINE: 'off',
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
      // The abuse scenario ran: both attackers were answered (refusals at the cap are 4xx),
      // the reader was served throughout; its figures belong to docs/benchmarks.md.
      const [abuse] = result.abuse;
      expect(abuse?.memos).toBe(300);
      expect(abuse?.readerAlone.requests).toBeGreaterThan(0);
      for (const attack of [abuse?.shared, abuse?.ownCore]) {
        expect(attack?.reader.requests).toBeGreaterThan(0);
        expect(attack?.reader.s5xx).toBe(0);
        for (const attacker of Object.values(attack?.attackers ?? {})) {
          expect(attacker.requests).toBeGreaterThan(0);
          expect(attacker.s4xx).toBeGreaterThan(0);
          expect(attacker.s5xx).toBe(0);
        }
      }
      expect(readFileSync(join(out, 'latest.md'), 'utf8')).toMatch(/### abuse: two users at 300 memos/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
