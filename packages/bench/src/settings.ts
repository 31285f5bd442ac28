/**
 * What the full bench, the gate and the profile share: their settings from the environment
 * (README, "Speed") and how a scenario's load is written.
 */
import { join } from 'node:path';
import { ROOT } from './processes.js';
import type { LoadSpec, RequestSpec } from './types.js';

/** Seconds per run (BENCH_DURATION), runs per scenario (BENCH_RUNS), connections (BENCH_CONNECTIONS). */
export const DURATION = Number(process.env.BENCH_DURATION ?? 5);
export const RUNS = Number(process.env.BENCH_RUNS ?? 3);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
/** The scenarios run: `<name>@<via>` matching BENCH_ONLY. */
export const ONLY = new RegExp(process.env.BENCH_ONLY ?? '.');
/** Where the results are written. */
export const OUT = process.env.BENCH_OUT ?? join(ROOT, 'bench-results');

/** A scenario's load: `url` with these headers, the settings' connections and duration. */
export const loadSpec = (url: string, headers: Record<string, string>, requests?: RequestSpec[]): LoadSpec => ({
  url,
  connections: CONNECTIONS,
  duration: DURATION,
  headers,
  ...(requests ? { requests } : {}),
});

/** A new memo of about fifty bytes, posted to `path`. */
export const postMemo = (path: string): RequestSpec => ({
  method: 'POST',
  path,
  body: JSON.stringify({ text: 'a memo of about fifty bytes, written for the benchmark' }),
  headers: { 'content-type': 'application/json' },
});

/**
 * A new memo, then its delete, on each connection in turn: what a delete costs (the pair's
 * ratio moves with either; POST alone is its own route). Every delete finds its memo, and the
 * user's count stays where it was.
 */
export const addThenDelete = (path: string): RequestSpec[] => [
  { ...postMemo(path), keepId: true },
  { method: 'DELETE', path, toKeptId: true },
];

/** A memo's new text, put to one of `paths` at random. */
export const editMemo = (paths: string[], text: string): RequestSpec => ({
  method: 'PUT',
  pick: paths,
  body: JSON.stringify({ text }),
  headers: { 'content-type': 'application/json' },
});
