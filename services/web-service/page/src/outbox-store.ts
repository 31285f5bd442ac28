/**
 * The outbox, without the page: memos written offline wait on the device, per person, under
 * their idempotency key, oldest first, at most OUTBOX_MAX; what a failed send means; and sending
 * them all in order. Pure (storage and the send are handed in), so it is tested without a
 * browser (page/test/outbox-store.test.ts).
 */
import { RequestFailed } from './api.js';

/** A memo written offline, waiting on this device under its idempotency key. */
export interface Outgoing {
  key: string;
  text: string;
  createdAt: string;
}

/** Where the page keeps small things on the device (localStorage, or a stand-in in tests). */
export interface KeyValueStore {
  get(key: string): string | null;
  /** null or '' forgets the key. */
  set(key: string, value: string | null): void;
}

export const OUTBOX_PREFIX = 'memo:outbox:';
/** Memos that may wait on a device: past this, writing offline is refused as before. */
export const OUTBOX_MAX = 100;

const isOutgoing = (x: unknown): x is Outgoing =>
  typeof x === 'object' &&
  x !== null &&
  typeof (x as Outgoing).key === 'string' &&
  typeof (x as Outgoing).text === 'string' &&
  typeof (x as Outgoing).createdAt === 'string';

/** One person's waiting memos on this device (`user()` is who is logged in; '' for nobody). */
export class Outbox {
  readonly #storage: KeyValueStore;
  readonly #user: () => string;

  constructor(storage: KeyValueStore, user: () => string) {
    this.#storage = storage;
    this.#user = user;
  }

  /** The waiting memos, oldest first; whatever is not one is left out. */
  read(): Outgoing[] {
    const user = this.#user();
    if (!user) return [];
    try {
      const items: unknown = JSON.parse(this.#storage.get(OUTBOX_PREFIX + user) ?? '[]');
      return Array.isArray(items) ? items.filter(isOutgoing) : [];
    } catch {
      return [];
    }
  }

  #write(items: Outgoing[]): void {
    const user = this.#user();
    if (user) this.#storage.set(OUTBOX_PREFIX + user, items.length > 0 ? JSON.stringify(items) : null);
  }

  /**
   * Puts a memo in the outbox: false when it cannot wait there (OUTBOX_MAX memos wait already,
   * or the device would not store it), and the page gives the text back instead of losing it.
   */
  queue(item: Outgoing): boolean {
    const items = this.read();
    if (items.length >= OUTBOX_MAX) return false;
    this.#write([...items, item]);
    return this.read().some((x) => x.key === item.key);
  }

  /** The oldest waiting memo, the next to send. */
  next(): Outgoing | undefined {
    return this.read()[0];
  }

  /** Takes one memo out (sent, or given back). */
  drop(key: string): void {
    this.#write(this.read().filter((x) => x.key !== key));
  }

  /** Forgets every waiting memo of the person (회원 탈퇴). */
  clear(): void {
    this.#write([]);
  }
}

/**
 * What a failed send of a waiting memo means:
 * - 'later': not yet (offline, the service away, a rate limit): keep it, try again;
 * - 'login': the session ended: keep it for when the person logs in again;
 * - 'gone': it was stored earlier and deleted since (410): drop it quietly;
 * - 'refused': refused for good (a quota, a bad text): drop it and give the text back.
 * `status` is the HTTP status (0 when no answer came), `code` the error's code.
 */
export function afterFailedSend(status: number, code: string): 'later' | 'login' | 'gone' | 'refused' {
  if (status === 410) return 'gone';
  if (status === 0 || code === 'offline' || status >= 500 || status === 429) return 'later';
  if (status === 401) return 'login';
  return 'refused';
}

/** What sending the outbox tells as it goes (outbox.ts shows it on the page). */
export interface SendEvents<T> {
  /** `item` is being sent now. */
  sending(item: Outgoing): void;
  /** `item` was stored (`answer`) and left the outbox. */
  sent(item: Outgoing, answer: T): void;
  /** `item` was stored earlier and deleted since: it left the outbox quietly. */
  gone(item: Outgoing): void;
  /** `item` was refused for good and left the outbox: its text goes back to the person. */
  refused(item: Outgoing, err: RequestFailed): void;
  /** `item` could not go now and stays: sending stops here. */
  held(item: Outgoing): void;
}

/**
 * Sends the waiting memos, oldest first, one at a time, each under its own key (`send` must use
 * it as the Idempotency-Key, so a memo whose answer was lost is not added twice when sent again).
 * Stops at the first that cannot go yet, and says why: 'later' (offline, the service away, a rate
 * limit) or 'login' (the session ended); null when the outbox is empty.
 */
export async function sendWaiting<T>(
  outbox: Outbox,
  send: (item: Outgoing) => Promise<T>,
  on: SendEvents<T>,
): Promise<{ sent: number; stopped: 'later' | 'login' | null }> {
  let sent = 0;
  for (let item = outbox.next(); item; item = outbox.next()) {
    on.sending(item);
    let answer: T;
    try {
      answer = await send(item);
    } catch (err) {
      const next = err instanceof RequestFailed ? afterFailedSend(err.status, err.code) : 'later';
      if (next === 'later' || next === 'login' || !(err instanceof RequestFailed)) {
        on.held(item);
        return { sent, stopped: next === 'login' ? 'login' : 'later' };
      }
      outbox.drop(item.key);
      if (next === 'gone') on.gone(item);
      else on.refused(item, err);
      continue;
    }
    outbox.drop(item.key);
    sent += 1;
    on.sent(item, answer);
  }
  return { sent, stopped: null };
}

/** 128 random bits as hex: an idempotency key (crypto.randomUUID needs HTTPS; this does not). */
export function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
