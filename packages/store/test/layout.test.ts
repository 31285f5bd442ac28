import { describe, expect, it } from 'vitest';
import { encodeEntry, entryTail, publicJson, sizedTail, textSize } from '@memo/store/layout';
import { onlyTicks } from '@memo/store';

describe('entries', () => {
  it('are written field by field exactly as JSON.stringify writes them, whatever the text', () => {
    const texts = [
      'plain',
      '메모 #태그',
      'quotes " and \\ backslash',
      'controls \u0000\u0001\b\f\n\r\t\u001f',
      'emoji 😀 and \u2028\u2029',
      '',
    ];
    for (const text of texts) {
      for (const [createdAt, updatedAt] of [
        ['2026-11-30T02:00:00.000Z', null],
        [null, null],
        ['2026-11-30T02:00:00.000Z', '2026-11-30T03:00:00.000Z'],
      ] as const) {
        const memo = { id: 'm0abcdefghi123456', text, createdAt, updatedAt };
        const tail = entryTail({ ...memo, size: 42 });
        expect(`{${tail}`).toBe(JSON.stringify({ size: 42, ...memo }));
        const entry = encodeEntry({ ...memo, size: 42, seq: 7 });
        expect(JSON.parse(entry)).toEqual({ seq: 7, size: 42, ...memo });
        expect(JSON.parse(publicJson(entry))).toEqual(memo);
        // An add's one escape of the text gives the same size and tail.
        expect(sizedTail(memo)).toEqual({ size: textSize(text), tail: entryTail({ ...memo, size: textSize(text) }) });
      }
    }
  });
});

describe('an edit that only ticks task boxes', () => {
  it('is told from any other change, in one pass', () => {
    expect(onlyTicks('- [ ] a\n- [x] b', '- [x] a\n- [ ] b')).toBe(true);
    expect(onlyTicks('- [ ] a', '- [X] a')).toBe(true);
    // The same text, another length, another mark, or a change outside a box's brackets.
    expect(onlyTicks('- [ ] a', '- [ ] a')).toBe(false);
    expect(onlyTicks('- [ ] a', '- [ ] ab')).toBe(false);
    expect(onlyTicks('- [ ] a', '- [y] a')).toBe(false);
    expect(onlyTicks('- [ ] a b', '- [x] axb')).toBe(false);
    expect(onlyTicks('[  ]', '[ x]')).toBe(false);
    // A 10,000-character memo of boxes is one comparison of each character.
    const boxes = '- [ ] 할 일\n'.repeat(1_000);
    expect(onlyTicks(boxes, boxes.replaceAll('[ ]', '[x]'))).toBe(true);
  });
});
