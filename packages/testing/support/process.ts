import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A service as its own process (so it can be signalled or killed), as `npm start` runs it. */
export interface ServiceProcess {
  process: ChildProcess;
  url: string;
  adminUrl: string;
  output: string[];
  exited: Promise<number | null>;
}

export function serviceEntry(service: string): string {
  return fileURLToPath(new URL(`../../../services/${service}/dist/server.js`, import.meta.url));
}

export function spawnService(service: string, env: NodeJS.ProcessEnv): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [serviceEntry(service)], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', ADMIN_PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr }).on('line', (l) => output.push(l));
  return new Promise((resolve, reject) => {
    let adminUrl = '';
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      const admin = / admin \(health, metrics\) on (\S+)$/.exec(line);
      if (admin?.[1]) adminUrl = admin[1];
      const listening = / listening on (\S+)$/.exec(line);
      if (listening?.[1]) resolve({ process: child, url: listening[1], adminUrl, output, exited });
    });
    void exited.then((code) => reject(new Error(`${service} exited ${String(code)}: ${output.join('\n')}`)));
  });
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const began = Date.now();
  while (!(await check().catch(() => false))) {
    if (Date.now() - began > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - began;
}

/** A process's resident memory now, in MB (NaN when /proc does not say). */
export function residentMb(pid: number): number {
  const kb = /^VmRSS:\s*(\d+) kB$/m.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'));
  return kb ? Number(kb[1]) / 1024 : Number.NaN;
}

/** The processes `pid` started that still run, as `pgrep -P` sees them now. */
export function children(pid: number): number[] {
  return spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number);
}

/** Every process below `pid`: its children, theirs, and so on. */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const below = children(next);
    found.push(...below);
    queue.push(...below);
  }
  return found;
}

/** Whether a process is still running (a zombie waiting for its parent counts as gone). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
