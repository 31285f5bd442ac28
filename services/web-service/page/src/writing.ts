/**
 * What the composer decides, without the page: whether a memo may be sent, what the counter says
 * (and says aloud once, when its level changes), and where a memo that was not stored goes back.
 * Pure, so it is tested without a browser (page/test/writing.test.ts).
 */
import { counterLevel, fill, lengthOf, type CounterLevel } from './format.js';
import type { Speech } from './strings.js';

/** Why a memo cannot be sent as it is (the server's own codes), or null when it can. */
export function refusal(text: string, maxLength: number): 'text_empty' | 'text_too_long' | null {
  if (text.trim() === '') return 'text_empty';
  if (lengthOf(text) > maxLength) return 'text_too_long';
  return null;
}

/** A memo that was not stored goes back into the box, before anything typed there meanwhile. */
export function givenBack(box: string, text: string): string {
  return box.trim() === '' ? text : `${text}\n\n${box}`;
}

export interface CounterReading {
  /** What the counter shows: "123 / 10,000자". */
  text: string;
  level: CounterLevel;
  /** What to tell a screen reader: only when the level changed into 'near' or 'over'. */
  announce: string | null;
}

/** The character counter: remembers its last level so that a warning is said once, not per key. */
export class Counter {
  #last: CounterLevel = 'ok';

  read(text: string, maxLength: number, { t, locale }: Speech): CounterReading {
    const length = lengthOf(text);
    const level = counterLevel(length, maxLength);
    const reading: CounterReading = {
      text: fill(t.counter, { count: length.toLocaleString(locale), max: maxLength.toLocaleString(locale) }),
      level,
      announce: null,
    };
    if (level !== this.#last) {
      if (level === 'near')
        reading.announce = fill(t.counterNear, { left: (maxLength - length).toLocaleString(locale) });
      if (level === 'over')
        reading.announce = fill(t.counterOver, { over: (length - maxLength).toLocaleString(locale) });
      this.#last = level;
    }
    return reading;
  }
}
