import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import {
  AOF_REWRITE_DUE_KEY,
  AOF_REWRITE_LOCK_KEY,
  KEY_PATTERNS,
  LOGIN_STATES_KEY,
  LOGIN_STATE_TIMES_KEY,
  accountKeys,
  legacyLoginStateKey,
  legacyNameKey,
  legacySessionKey,
  memoKeys,
  naverTokensKey,
  profileKey,
  rateLimitPrefix,
  sessionKey,
  sessionsEndedKey,
  sessionsKey,
  tagKey,
  unlinkSeenKey,
  userTag,
} from '../src/keys.js';

/** The one key schema (keys.ts) and docs/data.md's table of keys say the same. */

const DATA_MD = fileURLToPath(new URL('../../../docs/data.md', import.meta.url));

/** The first column of docs/data.md's first table: one key shape a row. */
function documentedKeys(): string[] {
  const lines = readFileSync(DATA_MD, 'utf8').split('\n');
  const start = lines.findIndex((l) => /^\| key\s+\|/.test(l));
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cell = line.split('|')[1]?.trim() ?? '';
    rows.push(cell.replace(/^`|`$/g, ''));
  }
  return rows;
}

/** A key's shape matches a pattern, each `<…>` standing for a run of anything. */
function matches(key: string, pattern: string): boolean {
  const parts = pattern.split(/<[a-z]+>/);
  let at = 0;
  for (const [i, part] of parts.entries()) {
    const found = i === 0 ? (key.startsWith(part) ? 0 : -1) : key.indexOf(part, at);
    if (found < 0 || (i === 0 && found !== 0)) return false;
    at = found + part.length;
  }
  return parts.at(-1) === '' || key.endsWith(parts.at(-1) ?? '');
}

describe('the key schema', () => {
  it('is the table of docs/data.md, row for row', () => {
    expect(documentedKeys()).toEqual([...new Set(documentedKeys())]);
    expect([...documentedKeys()].sort()).toEqual([...KEY_PATTERNS].sort());
  });

  it('makes only keys of the shapes it lists', () => {
    const id = 'hGd7Qk2nZ0vXo3mPq8rTs1uVw4yAbCdEfGhIjKlMnOp';
    const made = [
      ...Object.values(memoKeys(id) as unknown as Record<string, string>),
      tagKey(id, '일/회의'),
      naverTokensKey(id),
      profileKey(id),
      legacyNameKey(id),
      `${rateLimitPrefix('logins')}:198.51.100.7`,
      sessionKey(id, 'sid'),
      sessionsKey(id),
      legacySessionKey('sid'),
      sessionsEndedKey(id),
      LOGIN_STATES_KEY,
      LOGIN_STATE_TIMES_KEY,
      legacyLoginStateKey('state'),
      unlinkSeenKey('mac'),
      AOF_REWRITE_DUE_KEY,
      AOF_REWRITE_LOCK_KEY,
      ...accountKeys(id),
    ];
    for (const key of made)
      expect(
        KEY_PATTERNS.some((p) => matches(key, p)),
        key,
      ).toBe(true);
  });

  it('keeps every key of a user in the slot of the original app’s key, naming the user in none after 회원 탈퇴', () => {
    const id = 'kMj5Lp9sRt2uVw6xYz0aBc3dEf7gHi1jKl4mNo8pQr2';
    const slot = calculateSlot(`memo:${id}`);
    const inSlot = [...Object.values(memoKeys(id) as unknown as Record<string, string>), tagKey(id, 'a')];
    inSlot.push(naverTokensKey(id), sessionKey(id, 's'), sessionsKey(id), sessionsEndedKey(id));
    for (const key of inSlot) expect(calculateSlot(key), key).toBe(slot);
    expect(sessionsEndedKey(id)).not.toContain(id);
    expect(() => userTag('a{b}')).toThrow();
  });
});
