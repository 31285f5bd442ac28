import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('../dist/bench.js', import.meta.url));

/**
 * `npm run bench -- <args>` as the tests run it, shortened (one run of one second, eight
 * connections) and writing to `out`; `env` adds or overrides settings. Its exit code.
 */
export function runBench(args: string[], out: string, env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BENCH, ...args], {
      env: { ...process.env, BENCH_RUNS: '1', BENCH_DURATION: '1', BENCH_CONNECTIONS: '8', BENCH_OUT: out, ...env },
      stdio: 'ignore',
    });
    child.once('exit', resolve);
  });
}
