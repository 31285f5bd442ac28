import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { codeRanges, findTags, parseTag, renameTag, tagsOf } from '../src/tags.js';

/**
 * The tag grammar runs on every memo the service writes, exports or renames, on its one event
 * loop: it must be linear in the text, whatever the text. These are the worst texts we know for
 * a scanner of code spans, fences and tags, at ten times the longest memo (100,000 characters):
 * a quadratic scan of them takes seconds (the INLINE_CODE regex took 160 ms at 10,000 backticks
 * and ~16 s at 100,000), a linear one a few milliseconds. The budget is wide so that a busy
 * machine cannot fail it, and still a thousand times under what a quadratic scan costs.
 */
const N = 100_000;
const fill = (unit: string, n = N): string => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
/** Runs of backticks of every length, 1, 2, 3, …: no two spans close each other. */
function growingRuns(n: number): string {
  let out = '';
  for (let k = 1; out.length < n; k += 1) out += `${'`'.repeat(k)}a`;
  return out.slice(0, n);
}

const WORST: Record<string, string> = {
  'one run of backticks': fill('`'),
  'backtick then a letter': fill('`a'),
  'backticks and line breaks': fill('``\n'),
  'runs of every length': growingRuns(N),
  'fences never closed': fill('```\n'),
  'tilde fences never closed': fill('~~~ x\n'),
  'fences of growing length': fill('````\n```\n'),
  'slashes in a tag': `#a${'/'.repeat(N - 4)}b`,
  hashes: fill('#'),
  'many tags': fill('#a '),
  'nested tags': fill('#a/'),
  'tag characters after a word': fill('a#b'),
  'control characters': fill('\u0001'),
  'spaces before fences': fill('   ``'),
};

describe('tags: linear in the text, whatever the text', () => {
  it.each(Object.entries(WORST))('%s: every scan of 100,000 characters within 250 ms', (_name, text) => {
    const start = performance.now();
    tagsOf(text);
    findTags(text);
    renameTag(text, 'a', 'b/c');
    codeRanges(text);
    expect(performance.now() - start).toBeLessThan(250);
  });

  it('hides tags in code: spans of equal runs, fenced blocks to their closing fence or the end', () => {
    expect(tagsOf('`#a` ``#b`` ``#c` #d``')).toEqual([]);
    expect(tagsOf('`` `#a` `` #b')).toEqual(['b']);
    // A fence hides every line up to the one closing it (three lines here), not only the first.
    expect(tagsOf('```js\n#a\n#b\n#c\n```\n#d')).toEqual(['d']);
    expect(tagsOf('~~~~\n#a\n~~~\n#b\n~~~~~\n#c')).toEqual(['c']);
    // Never closed: code to the end, as CommonMark has it.
    expect(tagsOf('#a\n```\n#b\n#c')).toEqual(['a']);
    // An opening run followed by a line break opens nothing.
    expect(tagsOf('`\n#a`')).toEqual(['a']);
    expect(codeRanges('x `y` z')).toEqual([[2, 5]]);
  });

  it('trims slashes without a regex: a tag of many slashes is one tag', () => {
    expect(parseTag(`#a${'/'.repeat(5_000)}b/`)).toBe('a/b');
    expect(renameTag(`#a${'/'.repeat(50)}b`, 'a', 'c')).toBe('#c/b');
  });
});
