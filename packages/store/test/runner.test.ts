import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS, loadCommand, readCommand, usedOnly, withoutComments } from '@memo/store/runner';

/** The script without its comments. */
const code = (lua: string): string => withoutComments(lua.split('\n')).join('\n');

describe('the scripts as Redis runs them', () => {
  it('name keys and arguments by position, within their headers', () => {
    for (const name of COMMANDS) {
      const { keys, args, lua } = loadCommand(name);
      const body = code(lua);
      expect(body, name).not.toMatch(/\b[KA]\.\w/);
      for (const [, from, i] of body.matchAll(/\b(KEYS|ARGV)\[(\d+)\]/g)) {
        expect(Number(i), `${name}: ${String(from)}[${String(i)}]`).toBeLessThanOrEqual(
          (from === 'KEYS' ? keys : args).length,
        );
      }
    }
  });

  it('carry only the helpers they call', () => {
    for (const name of COMMANDS) {
      const body = code(loadCommand(name).lua);
      for (const [, fn = ''] of body.matchAll(/^local function (\w+)/gm)) {
        const calls = body.split(new RegExp(`\\b${fn}\\b`)).length - 1;
        expect(calls, `${name}: ${fn} is defined but never called`).toBeGreaterThan(1);
      }
    }
  });

  it('keeps a definition used through another, and drops one only a comment names', () => {
    const include = [
      '-- helpers',
      'local DIGITS = "0123"\nlocal function digit(n) return string.sub(DIGITS, n, n) end',
      'local function twice(n) return digit(n) .. digit(n) end',
      'local function unused() return 1 end',
    ].join('\n\n');
    const kept = usedOnly(include, '-- unused() is not called\nreturn twice(1)');
    expect(kept).toContain('local function twice');
    expect(kept).toContain('local DIGITS');
    expect(kept).not.toContain('unused');
    expect(kept).not.toContain('-- helpers');
    // Code that defines nothing runs where it is included.
    const check = "-- the check\nif ARGV[1] == '' then return {'refused'} end";
    expect(usedOnly(check, 'return 1')).toBe(check);
  });

  const dir = mkdtempSync(join(tmpdir(), 'memo-commands-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a name its header does not give, at load', () => {
    mkdirSync(join(dir, 'includes'), { recursive: true });
    const header = '--[[\n  Input:\n    KEYS[1] list\n    ARGV[1] limit\n]]\n';
    writeFileSync(join(dir, 'page.lua'), `${header}return redis.call('LRANGE', K.list, 0, A.limt)\n`);
    expect(() => readCommand('page', `${dir}/`)).toThrow('page.lua: A.limt is not in its header');
    writeFileSync(
      join(dir, 'page.lua'),
      `${header}-- K.other in a comment\nreturn redis.call('LRANGE', K.list, 0, A.limit)\n`,
    );
    expect(readCommand('page', `${dir}/`).lua).toContain("redis.call('LRANGE', KEYS[1], 0, ARGV[1])");
  });
});
