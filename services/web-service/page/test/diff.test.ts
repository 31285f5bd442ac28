import { describe, expect, it } from 'vitest';
import { changes, type Part } from '../src/diff.js';

const show = (parts: Part[]): string =>
  parts.map((p) => (p.kind === 'same' ? p.text : p.kind === 'removed' ? `[-${p.text}-]` : `{+${p.text}+}`)).join('');

describe('the history’s diff', () => {
  it('marks whole Korean words, not syllables matched across them', () => {
    expect(show(changes('회의는 3시에 합니다', '회의는 4시로 바뀜'))).toBe(
      '회의는 [-3시에-]{+4시로+} [-합니다-]{+바뀜+}',
    );
    // jsdiff alone keeps 시 of 3시 and 4시 as the same and marks 3 and 4: here the word changed.
    expect(show(changes('내일 3시', '내일 4시'))).toBe('내일 [-3-]{+4+}시');
  });

  it('shows only the particle or ending that changed in a word', () => {
    expect(show(changes('사과를 샀다', '사과는 샀다'))).toBe('사과[-를-]{+는+} 샀다');
    expect(show(changes('학교에 갑니다', '학교에 갔습니다'))).toBe('학교에 [-갑-]{+갔습+}니다');
    expect(show(changes('오늘 할 일', '오늘 할 일들'))).toBe('오늘 할 일{+들+}');
    // Words that share nothing are marked whole.
    expect(show(changes('사과 샀다', '배 샀다'))).toBe('[-사과-]{+배+} 샀다');
  });

  it('never splits what reads as one character', () => {
    // The same skin-tone emoji base, another modifier: the whole emoji changed, not half of it.
    expect(show(changes('좋아요👍🏻', '좋아요👍🏿'))).toBe('좋아요[-👍🏻-]{+👍🏿+}');
    expect(show(changes('팀 👩‍💻 🇰🇷', '팀 👩‍🔬 🇯🇵'))).toBe('팀 [-👩‍💻-]{+👩‍🔬+} [-🇰🇷-]{+🇯🇵+}');
    expect(show(changes('🇰🇷', '🇰🇵'))).toBe('[-🇰🇷-]{+🇰🇵+}');
    // A syllable whose jamo were typed apart (NFD) stays one character.
    expect(show(changes('가\u1100\u1161', '가\u1100\u1162'))).toBe('가[-\u1100\u1161-]{+\u1100\u1162+}');
  });

  it('keeps lines and English words as they are', () => {
    expect(show(changes('- [ ] milk\n- [ ] eggs', '- [x] milk\n- [ ] eggs'))).toBe('- [[- -]{+x+}] milk\n- [ ] eggs');
    expect(show(changes('the quick fox', 'the slow fox'))).toBe('the [-quick-]{+slow+} fox');
  });

  it('gives the texts whole when they share nothing and are long, in bounded time', () => {
    const a = Array.from({ length: 5_000 }, (_, i) => `가${String(i)}`).join(' ');
    const b = Array.from({ length: 5_000 }, (_, i) => `나${String(i)}`).join(' ');
    const started = performance.now();
    const parts = changes(a, b);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(
      parts
        .filter((p) => p.kind === 'removed')
        .map((p) => p.text)
        .join(''),
    ).toContain('가4999');
    expect(
      parts
        .filter((p) => p.kind === 'added')
        .map((p) => p.text)
        .join(''),
    ).toContain('나4999');
  });

  it('gives the new text whole for a first version and nothing for no change', () => {
    expect(changes('같다', '같다')).toEqual([{ kind: 'same', text: '같다' }]);
    expect(show(changes('', '새 메모'))).toBe('{+새 메모+}');
  });
});
