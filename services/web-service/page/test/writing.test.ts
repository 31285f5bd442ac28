import { describe, expect, it } from 'vitest';
import { ko as KO, type Speech } from '../src/strings.js';
import { en as EN } from '../src/strings-en.js';
import { Counter, givenBack, refusal } from '../src/writing.js';

const ko: Speech = { t: KO, language: 'ko', locale: 'ko' };
const en: Speech = { t: EN, language: 'en', locale: 'en-GB' };

describe('the composer', () => {
  it('refuses an empty memo and one over the server’s length, counted as the server counts', () => {
    expect(refusal('', 10)).toBe('text_empty');
    expect(refusal(' \n\t ', 10)).toBe('text_empty');
    expect(refusal('메모', 10)).toBeNull();
    // Ten emoji are ten characters (code points), not twenty UTF-16 units.
    expect(refusal('😀'.repeat(10), 10)).toBeNull();
    expect(refusal('😀'.repeat(11), 10)).toBe('text_too_long');
    // The limit is the server's: 5,000 when the chart says so.
    expect(refusal('가'.repeat(5_001), 5_000)).toBe('text_too_long');
    expect(refusal('가'.repeat(5_000), 5_000)).toBeNull();
  });

  it('gives a memo that was not stored back before what was typed since', () => {
    expect(givenBack('', '첫 메모')).toBe('첫 메모');
    expect(givenBack('  \n', '첫 메모')).toBe('첫 메모');
    expect(givenBack('새로 쓴 것', '첫 메모')).toBe('첫 메모\n\n새로 쓴 것');
  });

  it('counts against the limit it is given, in the page’s language', () => {
    const counter = new Counter();
    expect(counter.read('안녕', 5_000, ko)).toEqual({ text: '2 / 5,000자', level: 'ok', announce: null });
    expect(counter.read('hello', 10_000, en).text).toBe('5 / 10,000 characters');
  });

  it('says a warning once when the level changes, not at every key', () => {
    const counter = new Counter();
    const max = 100;
    expect(counter.read('a'.repeat(89), max, ko).announce).toBeNull();
    const near = counter.read('a'.repeat(90), max, ko);
    expect(near.level).toBe('near');
    expect(near.announce).toBe('10자 남았습니다');
    expect(counter.read('a'.repeat(95), max, ko).announce).toBeNull();
    const over = counter.read('a'.repeat(103), max, ko);
    expect(over).toMatchObject({ level: 'over', announce: '3자 초과했습니다' });
    expect(counter.read('a'.repeat(104), max, ko).announce).toBeNull();
    // Back under: nothing to warn of; and near again is said again.
    expect(counter.read('a'.repeat(10), max, ko)).toMatchObject({ level: 'ok', announce: null });
    expect(counter.read('a'.repeat(99), max, en).announce).toBe('1 characters left');
  });
});
