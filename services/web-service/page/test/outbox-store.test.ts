import { describe, expect, it } from 'vitest';
import { device } from './device.js';
import { RequestFailed } from '../src/api.js';
import {
  OUTBOX_MAX,
  OUTBOX_PREFIX,
  Outbox,
  afterFailedSend,
  randomKey,
  sendWaiting,
  type KeyValueStore,
  type Outgoing,
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

  describe('sending', () => {
    /** What sendWaiting told, in order, as `event:key` lines. */
    function recorder(): { log: string[]; on: Parameters<typeof sendWaiting<string>>[2] } {
      const log: string[] = [];
      return {
        log,
        on: {
          sending: (item) => log.push(`sending:${item.key}`),
          sent: (item, answer) => log.push(`sent:${item.key}=${answer}`),
          gone: (item) => log.push(`gone:${item.key}`),
          refused: (item, err) => log.push(`refused:${item.key}:${err.code}`),
          held: (item) => log.push(`held:${item.key}`),
        },
      };
    }
    const filled = (n: number): Outbox => {
      const outbox = new Outbox(device(), () => 'choi');
      for (let i = 1; i <= n; i++) outbox.queue(memo(i));
      return outbox;
    };

    it('sends oldest first, one at a time, each under its own key, and empties the outbox', async () => {
      const outbox = filled(3);
      const keys: string[] = [];
      let inFlight = 0;
      const { log, on } = recorder();
      const result = await sendWaiting(
        outbox,
        async (item: Outgoing) => {
          inFlight += 1;
          expect(inFlight).toBe(1);
          keys.push(item.key);
          await new Promise((r) => setTimeout(r, 1));
          inFlight -= 1;
          return `id-${item.key}`;
        },
        on,
      );
      expect(result).toEqual({ sent: 3, stopped: null });
      expect(keys).toEqual(['key-1', 'key-2', 'key-3']);
      expect(log).toEqual([
        'sending:key-1',
        'sent:key-1=id-key-1',
        'sending:key-2',
        'sent:key-2=id-key-2',
        'sending:key-3',
        'sent:key-3=id-key-3',
      ]);
      expect(outbox.read()).toEqual([]);
    });

    it('stops at the first that cannot go yet and keeps it and the rest, for the same key next time', async () => {
      for (const [status, code] of [
        [0, 'offline'],
        [503, 'unavailable'],
        [429, 'rate_limited'],
      ] as const) {
        const outbox = filled(3);
        const { log, on } = recorder();
        let calls = 0;
        const result = await sendWaiting(
          outbox,
          (item) => {
            calls += 1;
            return calls === 2 ? Promise.reject(new RequestFailed(status, code)) : Promise.resolve(item.key);
          },
          on,
        );
        expect(result).toEqual({ sent: 1, stopped: 'later' });
        expect(log.slice(-1)).toEqual(['held:key-2']);
        expect(outbox.read().map((m) => m.key)).toEqual(['key-2', 'key-3']);
      }
    });

    it('keeps everything when the session ended, and says so', async () => {
      const outbox = filled(2);
      const { log, on } = recorder();
      const result = await sendWaiting(outbox, () => Promise.reject(new RequestFailed(401, 'unauthorized')), on);
      expect(result).toEqual({ sent: 0, stopped: 'login' });
      expect(log).toEqual(['sending:key-1', 'held:key-1']);
      expect(outbox.read()).toHaveLength(2);
    });

    it('drops one deleted since quietly and one refused for good with its reason, and goes on', async () => {
      const outbox = filled(3);
      const { log, on } = recorder();
      const answers: Record<string, () => Promise<string>> = {
        'key-1': () => Promise.reject(new RequestFailed(410, 'memo_deleted')),
        'key-2': () => Promise.reject(new RequestFailed(409, 'quota_exceeded')),
        'key-3': () => Promise.resolve('stored'),
      };
      const result = await sendWaiting(outbox, (item) => answers[item.key]?.() ?? Promise.reject(new Error()), on);
      expect(result).toEqual({ sent: 1, stopped: null });
      expect(log.filter((line) => !line.startsWith('sending'))).toEqual([
        'gone:key-1',
        'refused:key-2:quota_exceeded',
        'sent:key-3=stored',
      ]);
      expect(outbox.read()).toEqual([]);
    });

    it('keeps a memo whose send failed in a way it does not know, to try again', async () => {
      const outbox = filled(1);
      const { on } = recorder();
      const result = await sendWaiting(outbox, () => Promise.reject(new TypeError('network')), on);
      expect(result).toEqual({ sent: 0, stopped: 'later' });
      expect(outbox.read()).toHaveLength(1);
    });
  });
});
