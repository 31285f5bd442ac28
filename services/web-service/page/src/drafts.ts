/**
 * What a person was writing, kept on the device for them alone: a draft per person, and who last
 * used the page here. When someone else logs in, the last person's draft goes (the next person
 * on a shared device never sees it). Pure, with the storage handed in (page/test/drafts.test.ts).
 */
import type { KeyValueStore } from './outbox-store.js';

/** A person's draft: `memo:draft:<id>`. */
export const DRAFT_PREFIX = 'memo:draft:';
/** Where one draft for everyone was kept before: never shown to anyone, removed. */
export const SHARED_DRAFT_KEY = 'memo:draft';
/** Who last used the page on this device. */
export const LAST_USER_KEY = 'memo:user';

export class Drafts {
  #user = '';

  readonly #storage: KeyValueStore;

  constructor(storage: KeyValueStore) {
    this.#storage = storage;
  }

  /**
   * Someone is logged in: what was kept on this device for anyone else (a draft) goes, and so
   * does the draft kept for everyone by earlier versions of the page.
   */
  adopt(user: string): void {
    const last = this.#storage.get(LAST_USER_KEY);
    if (last !== null && last !== user) this.#storage.set(DRAFT_PREFIX + last, null);
    this.#storage.set(SHARED_DRAFT_KEY, null);
    this.#storage.set(LAST_USER_KEY, user);
    this.#user = user;
  }

  /** Keeps what the person logged in is writing ('' or null: forgets it); nobody: nothing kept. */
  keep(text: string | null): void {
    if (this.#user) this.#storage.set(DRAFT_PREFIX + this.#user, text);
  }

  /** The draft kept for the person logged in, if any. */
  current(): string | null {
    return this.#user ? this.#storage.get(DRAFT_PREFIX + this.#user) : null;
  }
}
