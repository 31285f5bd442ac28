import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { codeRanges, findTags, parseTag, renameTag, tagsOf } from '../src/tags.js';

/**
 * The tag grammar runs on every memo the service writes, exports or renames, on its one event
 * loop: it must be linear in the text, whatever the text. These are the worst texts we know for
 * a scanner of code spans, fences and tags, up to ten times the longest memo (100,000
 * characters): a quadratic scan of them takes seconds (the INLINE_CODE regex took 160 ms at
 * 10,000 backticks and ~16 s at 100,000), a linear one milliseconds to a few hundred.
 *
 * The check is the shape, not a speed: four times the text may cost at most eight times the
 * time (linear is four, quadratic sixteen), each the fastest of three scans so that one pause
 * of a busy machine does not count. A fixed budget in milliseconds failed a loaded CI run on a
 * linear scan (253 ms against 250 for 33,333 tags); the ratio holds on any machine. A floor of
 * 25 ms keeps scans of a few milliseconds from failing on timer noise, and a ceiling of 2 s
 * still catches a quadratic scan that starts fast.
 */
const N = 100_000;
const fill =
  (unit: string) =>
  (n: number): string =>
    unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
/** Runs of backticks of every length, 1, 2, 3, …: no two spans close each other. */
function growingRuns(n: number): string {
  let out = '';
  for (let k = 1; out.length < n; k += 1) out += `${'`'.repeat(k)}a`;
  return out.slice(0, n);
}

const WORST: Record<string, (n: number) => string> = {
  'one run of backticks': fill('`'),
  'backtick then a letter': fill('`a'),
  'backticks and line breaks': fill('``\n'),
  'runs of every length': growingRuns,
  'fences never closed': fill('```\n'),
  'tilde fences never closed': fill('~~~ x\n'),
  'fences of growing length': fill('````\n```\n'),
  'slashes in a tag': (n) => `#a${'/'.repeat(n - 4)}b`,
  hashes: fill('#'),
  'many tags': fill('#a '),
  'nested tags': fill('#a/'),
  'tag characters after a word': fill('a#b'),
  'control characters': fill('\u0001'),
  'spaces before fences': fill('   ``'),
};

function scan(text: string): void {
  tagsOf(text);
  findTags(text);
  renameTag(text, 'a', 'b/c');
  codeRanges(text);
}

/** The fastest of three scans of the text, in milliseconds. */
function fastest(text: string): number {
  let best = Infinity;
  for (let i = 0; i < 3; i += 1) {
    const start = performance.now();
    scan(text);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

describe('tags: linear in the text, whatever the text', () => {
  it.each(Object.entries(WORST))('%s: four times the text costs at most eight times the time', (_name, make) => {
    const quarter = fastest(make(N / 4));
    const whole = fastest(make(N));
    expect(whole, `${whole.toFixed(1)} ms at ${N}, ${quarter.toFixed(1)} ms at ${N / 4}`).toBeLessThan(
      Math.max(8 * quarter, 25),
    );
    expect(whole).toBeLessThan(2_000);
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
