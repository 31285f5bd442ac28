/**
 * The ref's tree for the regression gate (gate.ts): a git worktree in the system's temporary
 * folder, kept for the next run, with the working tree's node_modules when the lock files agree
 * (else its own `npm ci`), built there.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, log } from './processes.js';

/** Where the refs' trees are kept between runs: `<tmp>/memo-bench/<this checkout>/<commit>`. */
const TREES = join(tmpdir(), 'memo-bench', createHash('sha256').update(ROOT).digest('hex').slice(0, 12));

export const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
const tryGit = (...args: string[]): string | null => {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
};

/** The ref to compare with: the one named, else the last release tag, origin/main, HEAD. */
export function resolveRef(named?: string): { name: string; sha: string } {
  const name =
    named ??
    tryGit('describe', '--tags', '--abbrev=0') ??
    (tryGit('rev-parse', '--verify', '-q', 'origin/main') ? 'origin/main' : 'HEAD');
  const sha = tryGit('rev-parse', '--verify', '-q', `${name}^{commit}`);
  if (!sha) throw new Error(`bench: no commit named ${name}`);
  return { name, sha };
}

/**
 * The ref's tree, built, in TREES: a git worktree. Its dependencies are the
 * working tree's own (linked, with @memo/* pointing into the worktree) when the lock files
 * agree, else installed there by `npm ci`.
 */
export function prepareTree(sha: string): string {
  // Per checkout (its node_modules are linked in) and per commit.
  const dir = join(TREES, sha.slice(0, 12));
  const stamp = join(dir, '.memo-bench-built');
  if (existsSync(stamp)) return dir;
  git('worktree', 'prune');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(TREES, { recursive: true });
  git('worktree', 'add', '--detach', '--force', dir, sha);
  const sameLock =
    readFileSync(join(ROOT, 'package-lock.json'), 'utf8') === readFileSync(join(dir, 'package-lock.json'), 'utf8');
  if (sameLock) {
    linkModules(dir);
  } else {
    log(`bench: ${sha.slice(0, 12)} has other dependencies: npm ci there …`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, stdio: 'ignore' });
  }
  log(`bench: building ${sha.slice(0, 12)} in ${dir} …`);
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  return dir;
}

/**
 * node_modules for another copy of the repository at `dir` (a worktree, a fresh copy): this
 * checkout's packages, linked, but the copy's own workspaces under @memo.
 */
export function linkModules(dir: string): void {
  const from = join(ROOT, 'node_modules');
  const to = join(dir, 'node_modules');
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    // Its own workspaces, and its own build caches (tsc's incremental state).
    if (entry === '@memo' || entry === '.cache') continue;
    symlinkSync(join(from, entry), join(to, entry));
  }
  mkdirSync(join(to, '@memo'));
  for (const entry of readdirSync(join(from, '@memo'))) {
    // A workspace: the link names its folder relative to the root (../../packages/common).
    const target = readlinkRelative(join(from, '@memo', entry));
    if (target !== null && existsSync(join(dir, target))) symlinkSync(join(dir, target), join(to, '@memo', entry));
  }
  // Workspaces' own node_modules (what could not be hoisted), where the ref has the workspace.
  const { workspaces } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  for (const workspace of workspaces) {
    const own = join(ROOT, workspace, 'node_modules');
    if (existsSync(own) && existsSync(join(dir, workspace)) && !existsSync(join(dir, workspace, 'node_modules'))) {
      symlinkSync(own, join(dir, workspace, 'node_modules'));
    }
  }
}

/** A workspace link's folder relative to the root (`packages/common`), or null for a package. */
function readlinkRelative(path: string): string | null {
  if (!lstatSync(path).isSymbolicLink()) return null;
  const real = realpathSync(path);
  return real.startsWith(ROOT) ? real.slice(ROOT.length) : null;
}
