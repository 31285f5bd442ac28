import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBench } from './run-bench.js';
import { colour, compare, renderGate, type Sample } from '../src/gate.js';

/**
 * The regression gate (`npm run bench -- --against <ref>`): how it judges paired runs, and, end
 * to end and shortened, that it checks out a ref beside the working tree, builds it, runs both
 * and compares them.
 */

const sample = (rps: number, cpuMicros = 100): Sample => ({ rps, p99: 5, errors: 0, cpuMicros });

describe('the regression gate', () => {
  it('takes the median of the runs’ ratios and calls out a route that lost more than 10%', () => {
    // Run by run: 0.80, 0.95, 0.85 → 0.85, whatever the medians of each side alone say.
    const slower = compare(
      'get_memo_10',
      'service',
      [sample(1000), sample(2000), sample(1000)],
      [sample(800), sample(1900), sample(850)],
    );
    expect(slower.ratio).toBeCloseTo(0.85, 5);
    expect(slower.spread[0]).toBeCloseTo(0.8, 5);
    expect(slower.spread[1]).toBeCloseTo(0.95, 5);
    expect(slower.calledOut).toBe(true);
    const noise = compare('post_memo', 'nginx', [sample(1000, 200)], [sample(950, 210)]);
    expect(noise.ratio).toBeCloseTo(0.95, 5);
    expect(noise.cpuRatio).toBeCloseTo(1.05, 5);
    expect(noise.calledOut).toBe(false);
    const faster = compare('get_me', 'service', [sample(1000)], [sample(1300)]);
    expect(faster.calledOut).toBe(false);

    const report = renderGate({
      ref: { name: 'v1.0.0', sha: 'a'.repeat(40) },
      treeName: 'working tree',
      compared: [slower, noise],
    });
    const [slowLine] = report.split('\n').filter((l) => l.startsWith('| get_memo_10'));
    expect(slowLine).toMatch(/\| 0\.85× \| 0\.80–0\.95 \|.*\*\*slower\*\*/);
    expect(report.split('\n').find((l) => l.startsWith('| post_memo'))).not.toMatch(/slower/);
    // Red in a terminal, on the slower line only; plain Markdown in a file.
    const red = colour(report, true).split('\n');
    expect(red.filter((l) => l.startsWith('\u001b[31m'))).toEqual([`\u001b[31m${slowLine ?? ''}\u001b[0m`]);
    expect(colour(report, false)).toBe(report);
  });

  it('checks out a ref beside the working tree, builds it, and compares the two', { timeout: 300_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'memo-gate-test-'));
    try {
      const code = await runBench(['--against', 'HEAD'], out, { BENCH_ONLY: '^get_memo_10@service$' });
      expect(code).toBe(0);
      const result = JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')) as {
        ref: { name: string; sha: string };
        compared: { name: string; via: string; ratio: number; ref: Sample[]; tree: Sample[] }[];
      };
      expect(result.ref.name).toBe('HEAD');
      expect(result.ref.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(result.compared.map((c) => `${c.name}@${c.via}`)).toEqual(['get_memo_10@service']);
      for (const c of result.compared) {
        for (const side of [c.ref, c.tree]) {
          expect(side).toHaveLength(1);
          expect(side[0]?.rps).toBeGreaterThan(0);
          expect(side[0]?.errors).toBe(0);
          expect(side[0]?.cpuMicros).toBeGreaterThan(0);
        }
        expect(c.ratio).toBeGreaterThan(0);
      }
      expect(readFileSync(join(out, 'gate.md'), 'utf8')).toMatch(/^## bench gate: working tree .* against HEAD/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
