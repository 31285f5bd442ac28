/**
 * The bench's processes: the load generator in a process of its own, services started and
 * stopped, their memory and environment, and how soon a service is ready after it starts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort, type RunningStack } from '@memo/stack';
import type { LoadResult, LoadSpec } from './types.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

export const has = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  try {
    const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs one measurement in a separate process (the load generator never shares our loop). */
export function load(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolveLoad, reject) => {
    // The spec goes through stdin: a list of ids to pick from can be larger than argv allows.
    const child = spawn(process.execPath, [here('./load.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.end(JSON.stringify(spec));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${String(code)}`));
      else resolveLoad(JSON.parse(out) as LoadResult);
    });
  });
}

export function startProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<ChildProcess> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} not ready in 10 s`)), 10_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (ready.test(line)) {
        clearTimeout(timer);
        resolveStart(child);
      }
    });
    child.stderr.resume();
    child.once('exit', (code) => reject(new Error(`${command} exited with ${String(code)}`)));
  });
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** A service's environment, read from its process (to start one more like it). */
export function environOf(pid: number): NodeJS.ProcessEnv {
  return Object.fromEntries(
    readFileSync(`/proc/${String(pid)}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

export async function readyTimes(stack: RunningStack): Promise<Record<string, number[]>> {
  const times: Record<string, number[]> = {};
  for (const name of ['auth-service', 'memo-service', 'web-service']) {
    const pid = stack.processes.get(name)?.pid ?? 0;
    const env = environOf(pid);
    times[name] = [];
    for (let i = 0; i < 3; i += 1) {
      const admin = await freePort();
      const began = performance.now();
      const child = spawn(process.execPath, [join(ROOT, 'services', name, 'dist', 'server.js')], {
        env: { ...env, PORT: String(await freePort()), ADMIN_PORT: String(admin) },
        stdio: 'ignore',
      });
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${String(admin)}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (performance.now() - began > 10_000) throw new Error(`${name} not ready in 10 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      times[name].push(Math.round(performance.now() - began));
      await stopProcess(child);
    }
  }
  return times;
}

/** A memo-service of its own, like the stack's but with these quotas; its port and process. */
export async function memoServiceLike(
  stack: RunningStack,
  maxCount: number,
  maxBytes: number,
): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = await startProcess(
    process.execPath,
    [join(ROOT, 'services', 'memo-service', 'dist', 'server.js')],
    {
      ...environOf(stack.processes.get('memo-service')?.pid ?? 0),
      PORT: String(port),
      ADMIN_PORT: String(await freePort()),
      MEMO_MAX_COUNT: String(maxCount),
      MEMO_MAX_BYTES: String(maxBytes),
      LOG_LEVEL: 'warn',
    },
    /^memo-service listening/,
  );
  return { port, child };
}
