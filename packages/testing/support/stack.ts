import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Runs `npm start`'s entry point as a real process, exactly as a person would (the test only
 * chooses a free port and a data folder), and reads the addresses it prints.
 */

export const STACK_ENTRY = fileURLToPath(new URL('../../stack/dist/start.js', import.meta.url));

export interface StartedStack {
  process: ChildProcess;
  url: string;
  addresses: Map<string, string>;
  output: string[];
  readyMs: number;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function runStack(env: NodeJS.ProcessEnv): Promise<StartedStack> {
  const began = Date.now();
  const child = spawn(process.execPath, [STACK_ENTRY], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const addresses = new Map<string, string>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stack not ready in 30 s:\n${output.join('\n')}`)), 30_000);
    const onLine = (line: string): void => {
      output.push(line);
      const listening = /^(\S+) listening on (\S+)/.exec(line);
      if (listening?.[1] && listening[2]) addresses.set(listening[1], listening[2]);
      const ready = /^memo is ready in \d+ ms: open (\S+)$/.exec(line);
      if (ready?.[1]) {
        clearTimeout(timer);
        resolve({
          process: child,
          url: ready[1],
          addresses,
          output,
          readyMs: Date.now() - began,
          stop: async (signal = 'SIGTERM') => {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', (l) => output.push(l));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`stack exited with ${String(code)}:\n${output.join('\n')}`));
    });
  });
}
