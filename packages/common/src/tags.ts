/**
 * `#태그` in memo text: one grammar for the page (links, the filter) and memo-service (the tag
 * index, renames). Pure, no Node APIs: the page's bundle imports it as `@memo/common/tags`.
 *
 * A tag is `#` then Hangul, Latin letters, digits, `_` and `/` (nesting: `#일/회의`), at least
 * one of them not a digit (`#1` is an issue number, not a tag). It starts a word: at the start
 * of the text or after a space or an opening bracket or punctuation, never inside a word or a
 * URL (`a#b`, `https://x.kr/#part`). Tags are compared in a normal form (NFKC, lower case):
 * `#Work` and `#work` are one tag. A nested tag also counts as its parents: `#a/b/c` is under
 * `a`, `a/b` and `a/b/c`, so filtering by `a` finds it and renaming `a` renames it.
 * Code (between backticks, or in a fenced block) holds no tags.
 */

/** Longest tag, in code points. */
export const TAG_MAX_LENGTH = 50;
/** Tags (parents included) one memo contributes to the index; the rest are text only. */
export const TAGS_PER_MEMO = 10;

// A tag's characters: [\p{Script=Hangul}\p{Script=Latin}\p{Nd}_/] (written out in each pattern,
// as literals, so that the linter checks them for backtracking).
/** A tag where it may start; group 1 is what follows `#`. */
export const TAG_PATTERN = /(?<=^|[\s([{,.;!?'"“‘「『<>*~])#([\p{Script=Hangul}\p{Script=Latin}\p{Nd}_/]+)/gu;
const WHOLE_TAG = /^[\p{Script=Hangul}\p{Script=Latin}\p{Nd}_/]+$/u;

/** Leading slashes and trailing slashes off (one pass each way, no regex to backtrack). */
function trimSlashes(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 0x2f) a += 1;
  while (b > a && s.charCodeAt(b - 1) === 0x2f) b -= 1;
  return s.slice(a, b);
}

/** The form tags are compared and stored in: NFKC, lower case, no `/` at either end or twice. */
export function normalizeTag(raw: string): string {
  return trimSlashes(
    raw
      .normalize('NFKC')
      .toLowerCase()
      .replace(/\/{2,}/g, '/'),
  );
}

/** A tag as written (without `#`), normalized; null when it is not one. */
export function parseTag(raw: string): string | null {
  const tag = normalizeTag(raw.startsWith('#') ? raw.slice(1) : raw);
  if (tag === '' || !WHOLE_TAG.test(tag) || /^[\d/]+$/.test(tag)) return null;
  if (Array.from(tag).length > TAG_MAX_LENGTH) return null;
  return tag;
}

const BACKTICK = 0x60;
const TILDE = 0x7e;
const SPACE = 0x20;

/** A fence opening or closing a code block: up to 3 spaces, then 3 or more of ` or ~ (null when not). */
function fenceAt(text: string, start: number, end: number): { char: number; length: number; rest: number } | null {
  let i = start;
  while (i < end && i - start < 3 && text.charCodeAt(i) === SPACE) i += 1;
  const char = text.charCodeAt(i);
  if (char !== BACKTICK && char !== TILDE) return null;
  let j = i;
  while (j < end && text.charCodeAt(j) === char) j += 1;
  return j - i >= 3 ? { char, length: j - i, rest: j } : null;
}

const endOfLine = (text: string, from: number): number => {
  const at = text.indexOf('\n', from);
  return at < 0 ? text.length : at;
};

/** Whether the line [rest, end) holds only spaces and tabs. */
function blankFrom(text: string, rest: number, end: number): boolean {
  for (let i = rest; i < end; i += 1) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== 0x09) return false;
  }
  return true;
}

/**
 * Inline code spans in [from, to): a run of backticks followed by something other than a line
 * break, up to the next run of exactly as many (CommonMark). Each run is visited once and each
 * is paired with the next run of its length through a table, so the scan is linear whatever
 * the text (a run of 10,000 backticks, or runs of every length, included).
 */
function inlineCode(text: string, from: number, to: number, out: [number, number][]): void {
  const runs: { start: number; length: number }[] = [];
  for (let i = from; i < to;) {
    if (text.charCodeAt(i) !== BACKTICK) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < to && text.charCodeAt(j) === BACKTICK) j += 1;
    runs.push({ start: i, length: j - i });
    i = j;
  }
  const next = new Array<number>(runs.length).fill(-1);
  const seen = new Map<number, number>();
  for (let k = runs.length - 1; k >= 0; k -= 1) {
    const run = runs[k] as { start: number; length: number };
    next[k] = seen.get(run.length) ?? -1;
    seen.set(run.length, k);
  }
  for (let k = 0; k < runs.length;) {
    const open = runs[k] as { start: number; length: number };
    const after = open.start + open.length;
    const close = next[k] ?? -1;
    if (close < 0 || after >= to || text.charCodeAt(after) === 0x0a) {
      k += 1;
      continue;
    }
    const end = runs[close] as { start: number; length: number };
    out.push([open.start, end.start + end.length]);
    k = close + 1;
  }
}

/**
 * Where code is: fenced blocks (a line of 3+ backticks or tildes up to a line closing it with
 * at least as many of the same, or the end of the text) and inline spans elsewhere. One pass
 * over the lines, then one over the backtick runs between fences: O(length).
 */
export function codeRanges(text: string): [number, number][] {
  const out: [number, number][] = [];
  let prose = 0;
  let pos = 0;
  while (pos < text.length) {
    const lineEnd = endOfLine(text, pos);
    const open = fenceAt(text, pos, lineEnd);
    if (!open) {
      pos = lineEnd + 1;
      continue;
    }
    inlineCode(text, prose, pos, out);
    let end = text.length;
    for (let line = lineEnd + 1; line < text.length;) {
      const close = endOfLine(text, line);
      const fence = fenceAt(text, line, close);
      if (fence && fence.char === open.char && fence.length >= open.length && blankFrom(text, fence.rest, close)) {
        end = close;
        break;
      }
      line = close + 1;
    }
    out.push([pos, end]);
    pos = end + 1;
    prose = Math.min(pos, text.length);
  }
  inlineCode(text, prose, text.length, out);
  return out;
}

/** The text with code blanked out (same length, so positions stay). */
function withoutCode(text: string): string {
  const ranges = codeRanges(text).sort((a, b) => a[0] - b[0]);
  let out = '';
  let last = 0;
  for (const [start, end] of ranges) {
    out += text.slice(last, start) + text.slice(start, end).replace(/[^\n]/g, ' ');
    last = end;
  }
  return out + text.slice(last);
}

export interface TagMatch {
  /** Where the `#` is. */
  index: number;
  /** `#` and the tag as written. */
  raw: string;
  /** The tag, normalized. */
  tag: string;
}

/** Every tag written in the text, in order, with where it is (code excluded). */
export function findTags(text: string): TagMatch[] {
  const found: TagMatch[] = [];
  // Most memos carry no tag: no `#`, nothing to look for (and no code to find first).
  if (!text.includes('#')) return found;
  for (const m of withoutCode(text).matchAll(TAG_PATTERN)) {
    const raw = text.slice(m.index, m.index + m[0].length);
    const tag = parseTag(raw);
    if (tag !== null) found.push({ index: m.index, raw, tag });
  }
  return found;
}

/** A tag and its parents: `a/b/c` → `a`, `a/b`, `a/b/c`. */
export function withParents(tag: string): string[] {
  const parts = tag.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** The tags a memo is indexed under (parents included), first written first, at most TAGS_PER_MEMO. */
export function tagsOf(text: string): string[] {
  const tags = new Set<string>();
  for (const { tag } of findTags(text)) {
    for (const t of withParents(tag)) {
      if (tags.size >= TAGS_PER_MEMO) return [...tags];
      tags.add(t);
    }
  }
  return [...tags];
}

/** Whether `tag` is `parent` or nested under it. */
export const isUnder = (tag: string, parent: string): boolean => tag === parent || tag.startsWith(`${parent}/`);

/**
 * The text with tag `from` (and every tag nested under it) written as `to`: `#from` → `#to`,
 * `#from/x` → `#to/x`, the nested part kept as written. Other text, code included, is untouched.
 * Safe to repeat: when `to` is under `from`, tags already under `to` are left as they are.
 */
export function renameTag(text: string, from: string, to: string): string {
  let out = '';
  let last = 0;
  const depth = from.split('/').length;
  // Renaming into a tag under itself (`a` → `a/b`): a tag already under the new name is where
  // it should be, so running the rename again changes nothing.
  const into = to !== from && isUnder(to, from);
  for (const m of findTags(text)) {
    if (!isUnder(m.tag, from) || (into && isUnder(m.tag, to))) continue;
    const rest = m.raw
      .slice(1)
      .split('/')
      .filter((part) => part !== '')
      .slice(depth);
    out += `${text.slice(last, m.index)}#${[to, ...rest].join('/')}`;
    last = m.index + m.raw.length;
  }
  return out + text.slice(last);
}

/** Distinct tags one user's index holds; a new tag past this stays text only (not a filter). */
export const TAGS_MAX_PER_USER = 200;
