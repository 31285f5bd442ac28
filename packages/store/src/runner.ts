import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RedisClient } from '@memo/common';

/**
 * The store's Redis scripts, kept as files (`packages/store/commands/<name>.lua`, the way
 * bullmq keeps its commands): each opens with a header that lists every `KEYS[i]` and `ARGV[i]`
 * by name, the last of each may be a list (`KEYS[9..] tagSets`), and shared Lua comes in with
 * `--- @include "<name>"` (commands/includes/). The header is the one place the order is
 * written: the runner binds the names for the script (`K.list`, `A.limit`) and takes named
 * arguments from TypeScript (`run('page', { list, … }, { limit, … })`).
 */

export const COMMANDS_DIR = fileURLToPath(new URL('../commands/', import.meta.url));

/** The work of one move step: a ref moved costs 1, an entry of an earlier layout converted 4. */
export const MOVE_WORK = 256;
/** …and the bytes the step copies are capped too. A quarter of a millisecond of Redis time or so. */
export const MOVE_BYTES = 16 * 1024;
/** A move (compaction) starts once this many refs are dead and they are a quarter of the live ones. */
export const DEAD_MIN = 64;
export const DEAD_RATIO = 4;

/** Numbers the scripts name as `@NAME@`, filled in when they load. */
const CONSTANTS: Readonly<Record<string, number>> = { MOVE_WORK, MOVE_BYTES, DEAD_MIN, DEAD_RATIO };

export const COMMANDS = [
  'page',
  'get',
  'add',
  'replace',
  'delete',
  'move',
  'pin',
  'import',
  'retag',
  'tag-page',
  'tags-built',
  'hold',
  'release',
  'keep',
  'unpin',
  'restore',
  'purge',
  'trash-page',
  'history',
  'forget',
  'archive',
  'unarchive',
  'archive-page',
  'discard',
  'share',
  'share-open',
  'unshare',
  'shares',
] as const;
export type CommandName = (typeof COMMANDS)[number];

interface Slot {
  name: string;
  /** A list: every value from here on. */
  rest: boolean;
}

export interface Command {
  name: CommandName;
  /** What ioredis defines it as, and what metrics and SLOWLOG reports call it: memoPage, … */
  method: string;
  keys: Slot[];
  args: Slot[];
  /** The script as Redis runs it (includes in, names bound). */
  lua: string;
}

const HEADER = /^\s*(KEYS|ARGV)\[(\d+)(\.\.)?\]\s+(\w+)/;

function slots(lines: readonly string[], kind: 'KEYS' | 'ARGV', file: string): Slot[] {
  const found: Slot[] = [];
  for (const line of lines) {
    const m = HEADER.exec(line);
    if (!m || m[1] !== kind) continue;
    if (Number(m[2]) !== found.length + 1 || found.at(-1)?.rest) {
      throw new Error(`${file}: ${kind}[${m[2] ?? ''}] out of order`);
    }
    found.push({ name: m[4] ?? '', rest: m[3] === '..' });
  }
  return found;
}

/**
 * The names bound for the script: `K.list` is written as `KEYS[2]` and `A.limit` as `ARGV[1]`
 * where the code says them, and a list is made once (`local K_tagSets = {unpack(KEYS, 9)}`).
 * Tables of every name built on each call were ~3 µs of the add script's ~40 in Redis
 * (docs/benchmarks.md). A name the header does not give is an error at load (comments aside).
 */
function bindNames(lines: readonly string[], keys: readonly Slot[], args: readonly Slot[], file: string): string[] {
  const lists = (table: 'K' | 'A', from: 'KEYS' | 'ARGV', list: readonly Slot[]): string[] =>
    list.flatMap((s, i) => (s.rest ? [`local ${table}_${s.name} = {unpack(${from}, ${String(i + 1)})}`] : []));
  const bind = (code: string): string =>
    code.replace(/\b([KA])\.(\w+)\b/g, (_, table: string, name: string) => {
      const [list, from] = table === 'K' ? [keys, 'KEYS'] : [args, 'ARGV'];
      const i = list.findIndex((slot) => slot.name === name);
      const slot = list[i];
      if (!slot) throw new Error(`${file}: ${table}.${name} is not in its header`);
      return slot.rest ? `${table}_${name}` : `${from}[${String(i + 1)}]`;
    });
  // Comments are left as written.
  const code = withoutComments(lines);
  const bound = lines.map((line, i) => {
    const kept = code[i] ?? '';
    return bind(kept) + line.slice(kept.length);
  });
  return [...lists('K', 'KEYS', keys), ...lists('A', 'ARGV', args), ...bound];
}

/**
 * Each line's code without its comment: a block (`--[[` to `]]`) or the rest of a line after
 * `--` (our scripts have no `--` inside a string).
 */
export function withoutComments(lines: readonly string[]): string[] {
  let inBlock = false;
  return lines.map((line) => {
    if (inBlock) {
      if (line.includes(']]')) inBlock = false;
      return '';
    }
    const comment = line.indexOf('--');
    if (comment < 0) return line;
    inBlock = line.startsWith('--[[', comment) && !line.includes(']]', comment);
    return line.slice(0, comment);
  });
}

function fill(text: string, file: string): string {
  return text.replace(/@([A-Z_]+)@/g, (_, name: string) => {
    const value = CONSTANTS[name];
    if (value === undefined) throw new Error(`${file}: no constant ${name}`);
    return String(value);
  });
}

const methodOf = (name: string): string =>
  `memo${name.replace(/(^|-)([a-z])/g, (_, _dash: string, c: string) => c.toUpperCase())}`;

/** Commands read so far, by name: each file is read once per process. */
const loaded = new Map<CommandName, Command>();

/** A command: its file, its includes and its header, read once. */
export function loadCommand(name: CommandName): Command {
  let command = loaded.get(name);
  if (!command) {
    command = readCommand(name, COMMANDS_DIR);
    loaded.set(name, command);
  }
  return command;
}

/**
 * An include with only the definitions the script uses, directly or through another kept one.
 * A definition is a block (between blank lines) that starts with `local NAME` or `local
 * function NAME`; a block of comments only goes too, one of other code stays. Each definition is a
 * closure or a value made on every call: the add script spent ~3 µs of its ~40 in Redis on the
 * ones it never called (docs/benchmarks.md).
 */
export function usedOnly(include: string, script: string): string {
  const blocks = include.split(/\n\s*\n/).map((text) => ({
    text,
    names: [...text.matchAll(/^local\s+(?:function\s+)?([A-Za-z_]\w*)/gm)].map((m) => m[1] ?? ''),
  }));
  const uses = (code: string, name: string): boolean => new RegExp(`\\b${name}\\b`).test(code);
  // Names said in comments do not count.
  const codeOf = (text: string): string => withoutComments(text.split('\n')).join('\n');
  const kept = new Set<(typeof blocks)[number]>();
  let code = codeOf(script);
  // Code that defines nothing (guard.lua's check) runs where it is included: always kept.
  for (const block of blocks) {
    if (block.names.length === 0 && codeOf(block.text).trim() !== '') kept.add(block);
  }
  for (let grew = true; grew;) {
    grew = false;
    for (const block of blocks) {
      if (kept.has(block) || !block.names.some((n) => uses(code, n))) continue;
      kept.add(block);
      code += `\n${codeOf(block.text)}`;
      grew = true;
    }
  }
  return blocks
    .filter((b) => kept.has(b))
    .map((b) => b.text)
    .join('\n\n');
}

/** Reads a command file, its includes and its header. */
export function readCommand(name: CommandName, dir: string): Command {
  const file = `${name}.lua`;
  const source = readFileSync(`${dir}${file}`, 'utf8');
  const header = /--\[\[([\s\S]*?)\]\]/.exec(source)?.[1]?.split('\n') ?? [];
  const keys = slots(header, 'KEYS', file);
  const args = slots(header, 'ARGV', file);
  const INCLUDE = /^--- @include "([\w-]+)"$/gm;
  const own = source.replace(INCLUDE, '');
  const body = source.replace(INCLUDE, (_, include: string) =>
    usedOnly(readFileSync(`${dir}includes/${include}.lua`, 'utf8'), own),
  );
  // A shebang (`#!lua flags=allow-oom`) must stay the first line.
  const [first = '', ...rest] = body.split('\n');
  const shebang = first.startsWith('#!') ? [first] : [];
  const lines = first.startsWith('#!') ? rest : [first, ...rest];
  const lua = [...shebang, ...bindNames(lines, keys, args, file)].join('\n');
  return { name, method: methodOf(name), keys, args, lua: fill(lua, file) };
}

export type Values = Readonly<Record<string, string | number | readonly (string | number)[]>>;

/** The values in the order the header gives, checked against it. */
function ordered(list: readonly Slot[], values: Values, what: string): string[] {
  const out: string[] = [];
  for (const slot of list) {
    const value = values[slot.name];
    if (value === undefined) throw new Error(`${what}: ${slot.name} missing`);
    if (slot.rest !== Array.isArray(value))
      throw new Error(`${what}: ${slot.name} must ${slot.rest ? '' : 'not '}be a list`);
    if (Array.isArray(value)) out.push(...value.map(String));
    else out.push(String(value));
  }
  let given = 0;
  for (const _ in values) given += 1;
  if (given !== list.length) {
    const extra = Object.keys(values).filter((k) => !list.some((s) => s.name === k));
    throw new Error(`${what}: unknown ${extra.join(', ')}`);
  }
  return out;
}

type Method = (...args: string[]) => Promise<unknown>;

/** The commands defined on one Redis client, called by name with named keys and arguments. */
export class Scripts {
  readonly commands: ReadonlyMap<CommandName, Command>;

  constructor(readonly redis: RedisClient) {
    const commands = new Map<CommandName, Command>();
    for (const name of COMMANDS) {
      const command = loadCommand(name);
      redis.defineCommand(command.method, { lua: command.lua });
      commands.set(name, command);
    }
    this.commands = commands;
  }

  run(name: CommandName, keys: Values, args: Values = {}): Promise<unknown> {
    const command = this.commands.get(name);
    if (!command) throw new Error(`no command ${name}`);
    const k = ordered(command.keys, keys, `${name} KEYS`);
    const a = ordered(command.args, args, `${name} ARGV`);
    const method = (this.redis as unknown as Record<string, Method>)[command.method];
    if (!method) throw new Error(`${command.method} not defined`);
    return method.call(this.redis, String(k.length), ...k, ...a);
  }
}

/** Every command's script by name, for reports that meet them by their SHA-1 in SLOWLOG. */
export function scriptSources(): Record<string, string> {
  return Object.fromEntries(COMMANDS.map((name) => [methodOf(name), loadCommand(name).lua]));
}
