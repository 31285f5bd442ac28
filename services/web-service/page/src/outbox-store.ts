/**
 * The outbox, without the page: memos written offline wait on the device, per person, under
 * their idempotency key, oldest first, at most OUTBOX_MAX; and what a failed send means. Pure
 * (storage is handed in), so it is tested without a browser (page/test/outbox-store.test.ts).
 */

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
  constructor(
    private readonly storage: KeyValueStore,
    private readonly user: () => string,
  ) {}

  /** The waiting memos, oldest first; whatever is not one is left out. */
  read(): Outgoing[] {
    const user = this.user();
    if (!user) return [];
    try {
      const items: unknown = JSON.parse(this.storage.get(OUTBOX_PREFIX + user) ?? '[]');
      return Array.isArray(items) ? items.filter(isOutgoing) : [];
    } catch {
      return [];
    }
  }

  private write(items: Outgoing[]): void {
    const user = this.user();
    if (user) this.storage.set(OUTBOX_PREFIX + user, items.length > 0 ? JSON.stringify(items) : null);
  }

  /**
   * Puts a memo in the outbox: false when it cannot wait there (OUTBOX_MAX memos wait already,
   * or the device would not store it), and the page gives the text back instead of losing it.
   */
  queue(item: Outgoing): boolean {
    const items = this.read();
    if (items.length >= OUTBOX_MAX) return false;
    this.write([...items, item]);
    return this.read().some((x) => x.key === item.key);
  }

  /** The oldest waiting memo, the next to send. */
  next(): Outgoing | undefined {
    return this.read()[0];
  }

  /** Takes one memo out (sent, or given back). */
  drop(key: string): void {
    this.write(this.read().filter((x) => x.key !== key));
  }

  /** Forgets every waiting memo of the person (회원 탈퇴). */
  clear(): void {
    this.write([]);
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

/** 128 random bits as hex: an idempotency key (crypto.randomUUID needs HTTPS; this does not). */
export function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
