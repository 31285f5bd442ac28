import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { linkModules } from '@memo/bench/worktree';
import { descendants, running, waitFor } from '@memo/testing/process';

/**
 * `npm start` in a fresh clone: the repository's files as git has them and the packages npm ci
 * installs (linked from this checkout), nothing built. It must build what it runs itself —
 * without type checking, which is the tests' job — and answer the page. How long that took is
 * printed (docs/benchmarks.md keeps the figure); the test asserts what it did, not its time.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const clone = mkdtempSync(join(tmpdir(), 'memo-fresh-'));
afterAll(() => rmSync(clone, { recursive: true, force: true }));

describe('npm start in a fresh clone', () => {
  it('builds what it runs without tsc and answers the page', { timeout: 60_000 }, async () => {
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\0')
      .filter((f) => f !== '' && existsSync(join(ROOT, f)));
    for (const file of files) {
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      cpSync(join(ROOT, file), join(clone, file));
    }
    linkModules(clone);
    expect(existsSync(join(clone, 'packages/common/dist'))).toBe(false);

    const tree: number[] = [];
    const began = performance.now();
    const child = spawn('npm', ['start'], {
      cwd: clone,
      env: { ...process.env, PORT: '0', DATA_DIR: join(clone, '.data'), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    try {
      const site = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('npm start: not ready in 30 s')), 30_000);
        createInterface({ input: child.stdout }).on('line', (line) => {
          const url = /^memo is ready in \d+ ms: open (\S+)$/.exec(line)?.[1];
          if (url) {
            clearTimeout(timer);
            resolve(url);
          }
        });
        child.once('exit', (code) => reject(new Error(`npm start exited with ${String(code)}`)));
      });
      const page = await fetch(site);
      const seconds = (performance.now() - began) / 1000;
      console.log(`fresh clone: npm start answered the page ${seconds.toFixed(2)} s after it was run`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<script type="module" src="assets\/app\.[0-9a-f]+\.js"/);
      expect(await (await fetch(new URL('auth/session', site))).json()).toEqual({ user: null });
      // Built by esbuild, as tsc lays it out, but not by tsc: no declarations were written.
      for (const workspace of ['packages/common', 'packages/store', 'services/memo-service']) {
        expect(existsSync(join(clone, workspace, 'dist'))).toBe(true);
      }
      expect(existsSync(join(clone, 'packages/common/dist/index.js'))).toBe(true);
      expect(existsSync(join(clone, 'packages/common/dist/index.d.ts'))).toBe(false);
      expect(existsSync(join(clone, 'services/web-service/dist/public/app.js'))).toBe(true);
      // A SIGTERM to npm alone, as a terminal's `kill` or a supervisor sends it, stops every
      // process npm start ran (npm hands it to the launcher; nothing is left to init).
      tree.push(...descendants(child.pid ?? 0));
      expect(tree.length).toBeGreaterThanOrEqual(6);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      const ms = await waitFor(
        () => Promise.resolve(!tree.some(running)),
        20_000,
        'every process of npm start to exit',
      );
      console.log(`fresh clone: every process of npm start gone ${ms} ms after npm was sent SIGTERM`);
    } finally {
      if (child.pid && running(child.pid)) process.kill(-child.pid, 'SIGKILL');
      for (const pid of tree.filter(running)) process.kill(pid, 'SIGKILL');
    }
  });
});
