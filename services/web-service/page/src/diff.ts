/**
 * What changed between two texts of a memo, for the history (a chunk of its own, with
 * history.ts): pure, and tested without a browser (page/test/diff.test.ts).
 *
 * Korean-aware: a word is a run of letters, marks and digits of any script (jsdiff's own word
 * diff takes only Latin letters for word characters, so Korean falls apart into syllables that
 * match across unrelated words; Intl.Segmenter took 1.4 s for 50,000 characters in Node, by words, and 3 s by graphemes). A word
 * replaced by one that shares its start or end, a stem with another particle or ending
 * (사과를 → 사과는, 갑니다 → 갔습니다), shows only the part that changed. A diff that would take
 * too long (texts that share nothing, at the length limit) gives up and shows the one text
 * removed and the other added.
 */
import { diffArrays } from 'diff';

export interface Part {
  kind: 'same' | 'removed' | 'added';
  text: string;
}

/** Longest a diff may work before it shows the whole texts instead (ms), and its most edits (tokens). */
const TIMEOUT_MS = 150;
const MAX_EDITS = 4_000;
/** Words longer than this are not looked into. */
const WORD_MAX = 60;

/**
 * Tokens: a word, a run of white space, a flag, or any other character with what joins it (an
 * emoji's modifiers and the parts a zero-width joiner adds). Alternatives that never match the
 * same text, each one pass over its characters: no backtracking.
 */
const TOKEN =
  /[\p{L}\p{M}\p{N}_]+|\s+|\p{Regional_Indicator}{2}|[^\p{L}\p{M}\p{N}_\s][\p{M}\p{Emoji_Modifier}]*(?:\u200d[^\p{L}\p{M}\p{N}_\s][\p{M}\p{Emoji_Modifier}]*)*/gu;
const SPACE = /\s/u;
const tokens = (text: string): string[] => text.match(TOKEN) ?? [];
/**
 * Code points that belong to the one before (a mark, a skin tone, a variation selector, a
 * joiner, a Hangul vowel or final consonant typed apart): never the first of a part.
 */
const JOINED = /[\p{M}\p{Emoji_Modifier}\u1160-\u11ff\ud7b0-\ud7ff]|\u200d/u;
const RI = /\p{Regional_Indicator}/u;
/** Whether a part may start at `i` of `cps` without cutting what reads as one character. */
const startsHere = (cps: string[], i: number): boolean =>
  !JOINED.test(cps[i] ?? '') && cps[i - 1] !== '\u200d' && !RI.test(cps[i - 1] ?? '');

/** The code points `a` and `b` start with in common, and (after those) end with, cut between characters. */
function common(a: string[], b: string[]): { start: number; end: number } {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  while (start > 0 && !(startsHere(a, start) && startsHere(b, start))) start -= 1;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end += 1;
  while (end > 0 && !(startsHere(a, a.length - end) && startsHere(b, b.length - end))) end -= 1;
  return { start, end };
}

/** One word replaced by another: the parts they share stay, only what differs is marked. */
function refine(removed: string, added: string): Part[] | null {
  if (SPACE.test(removed) || SPACE.test(added) || removed.length > WORD_MAX || added.length > WORD_MAX) return null;
  const a = Array.from(removed);
  const b = Array.from(added);
  const { start, end } = common(a, b);
  if (start === 0 && end === 0) return null;
  const parts: Part[] = [];
  const push = (kind: Part['kind'], cps: string[]): void => {
    if (cps.length > 0) parts.push({ kind, text: cps.join('') });
  };
  push('same', a.slice(0, start));
  push('removed', a.slice(start, a.length - end));
  push('added', b.slice(start, b.length - end));
  push('same', a.slice(a.length - end));
  return parts;
}

/** The parts of `before` and `after`, in order: kept, removed, added. */
export function changes(before: string, after: string): Part[] {
  const found = diffArrays(tokens(before), tokens(after), { timeout: TIMEOUT_MS, maxEditLength: MAX_EDITS });
  if (found === undefined) {
    return [
      { kind: 'removed', text: before },
      { kind: 'added', text: after },
    ].filter((p) => p.text !== '') as Part[];
  }
  const parts: Part[] = [];
  for (let i = 0; i < found.length; i++) {
    const change = found[i];
    const next = found[i + 1];
    if (change === undefined) continue;
    const text = change.value.join('');
    if (change.removed && next?.added) {
      const fine = refine(text, next.value.join(''));
      if (fine) {
        parts.push(...fine);
        i += 1;
        continue;
      }
    }
    parts.push({ kind: change.added ? 'added' : change.removed ? 'removed' : 'same', text });
  }
  return parts;
}
