import { describe, expect, it } from 'vitest';
import { device } from './device.js';
import {
  OUTBOX_MAX,
  OUTBOX_PREFIX,
  Outbox,
  afterFailedSend,
  randomKey,
  type KeyValueStore,
} from '../src/outbox-store.js';

const memo = (i: number): { key: string; text: string; createdAt: string } => ({
  key: `key-${String(i)}`,
  text: `메모 ${String(i)}`,
  createdAt: new Date(Date.UTC(2026, 10, 29, 0, 0, i)).toISOString(),
});

describe('the outbox', () => {
  it('keeps each person’s memos apart, oldest first, and forgets them when sent', () => {
    const store = device();
    let user = 'hong';
    const outbox = new Outbox(store, () => user);
    expect(outbox.queue(memo(1))).toBe(true);
    expect(outbox.queue(memo(2))).toBe(true);
    user = 'kim';
    expect(outbox.read()).toEqual([]);
    outbox.queue(memo(3));
    user = 'hong';
    expect(outbox.read().map((m) => m.key)).toEqual(['key-1', 'key-2']);
    expect(outbox.next()?.key).toBe('key-1');
    outbox.drop('key-1');
    expect(outbox.next()?.key).toBe('key-2');
    outbox.drop('key-2');
    // Empty: the key itself goes, nothing is left on the device for hong.
    expect(store.map.has(`${OUTBOX_PREFIX}hong`)).toBe(false);
    expect(store.map.has(`${OUTBOX_PREFIX}kim`)).toBe(true);
  });

  it('holds at most OUTBOX_MAX, and says so instead of losing the memo', () => {
    const outbox = new Outbox(device(), () => 'lee');
    for (let i = 0; i < OUTBOX_MAX; i++) expect(outbox.queue(memo(i))).toBe(true);
    expect(outbox.queue(memo(OUTBOX_MAX))).toBe(false);
    expect(outbox.read()).toHaveLength(OUTBOX_MAX);
    outbox.clear();
    expect(outbox.read()).toEqual([]);
  });

  it('says no when the device will not store it, and keeps nothing for nobody', () => {
    const full: KeyValueStore = { get: () => null, set: () => undefined };
    expect(new Outbox(full, () => 'lee').queue(memo(1))).toBe(false);
    const nobody = new Outbox(device(), () => '');
    expect(nobody.queue(memo(1))).toBe(false);
    expect(nobody.read()).toEqual([]);
  });

  it('reads past what is not a waiting memo (another version, a hand edit)', () => {
    const store = device();
    store.set(`${OUTBOX_PREFIX}park`, JSON.stringify([memo(1), { key: 1 }, 'x', null, memo(2)]));
    expect(new Outbox(store, () => 'park').read().map((m) => m.key)).toEqual(['key-1', 'key-2']);
    store.set(`${OUTBOX_PREFIX}park`, '{not json');
    expect(new Outbox(store, () => 'park').read()).toEqual([]);
  });

  it('knows what a failed send means', () => {
    expect(afterFailedSend(0, 'offline')).toBe('later');
    expect(afterFailedSend(503, 'unavailable')).toBe('later');
    expect(afterFailedSend(507, 'storage_full')).toBe('later');
    expect(afterFailedSend(429, 'rate_limited')).toBe('later');
    expect(afterFailedSend(401, 'unauthorized')).toBe('login');
    expect(afterFailedSend(410, 'memo_deleted')).toBe('gone');
    expect(afterFailedSend(409, 'quota_exceeded')).toBe('refused');
    expect(afterFailedSend(400, 'text_too_long')).toBe('refused');
  });

  it('makes 128-bit keys the server accepts', () => {
    const keys = new Set(Array.from({ length: 1_000 }, randomKey));
    expect(keys.size).toBe(1_000);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{32}$/);
  });
});
