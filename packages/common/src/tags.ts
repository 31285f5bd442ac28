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

const TAG_CHAR = String.raw`[\p{Script=Hangul}\p{Script=Latin}\p{Nd}_/]`;
/** A tag where it may start; group 1 is what follows `#`. */
export const TAG_PATTERN = new RegExp(String.raw`(?<=^|[\s(\[{,.;!?'"“‘「『<>*~])#(${TAG_CHAR}+)`, 'gu');
const WHOLE_TAG = new RegExp(String.raw`^${TAG_CHAR}+$`, 'u');
const FENCE = /^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:\n {0,3}\1[`~]*[ \t]*(?=\n|$)|$)/gm;
const INLINE_CODE = /(`+)[^`\n][\s\S]*?\1/g;

/** The form tags are compared and stored in: NFKC, lower case, no `/` at either end or twice. */
export function normalizeTag(raw: string): string {
  return raw
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\/{2,}/g, '/')
    .replace(/^\/+|\/+$/g, '');
}

/** A tag as written (without `#`), normalized; null when it is not one. */
export function parseTag(raw: string): string | null {
  const tag = normalizeTag(raw.startsWith('#') ? raw.slice(1) : raw);
  if (tag === '' || !WHOLE_TAG.test(tag) || /^[\d/]+$/.test(tag)) return null;
  if (Array.from(tag).length > TAG_MAX_LENGTH) return null;
  return tag;
}

/** The text with code blanked out (same length, so positions stay). */
function withoutCode(text: string): string {
  const blank = (m: string): string => m.replace(/[^\n]/g, ' ');
  return text.replace(FENCE, blank).replace(INLINE_CODE, blank);
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
 */
export function renameTag(text: string, from: string, to: string): string {
  let out = '';
  let last = 0;
  const depth = from.split('/').length;
  for (const m of findTags(text)) {
    if (!isUnder(m.tag, from)) continue;
    const rest = m.raw
      .slice(1)
      .replace(/^\/+|\/+$/g, '')
      .split(/\/+/)
      .slice(depth);
    out += `${text.slice(last, m.index)}#${[to, ...rest].join('/')}`;
    last = m.index + m.raw.length;
  }
  return out + text.slice(last);
}

/** Distinct tags one user's index holds; a new tag past this stays text only (not a filter). */
export const TAGS_MAX_PER_USER = 200;
