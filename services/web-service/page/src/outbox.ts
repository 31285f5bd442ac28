/**
 * The outbox controller: memos written offline wait on this device (outbox-store.ts) and are
 * shown at the top of the list until they are sent; sending starts when the page opens, when the
 * device comes online and now and then. What it needs of the rest of the page comes in as
 * `OutboxPage`.
 */
import { api, type Memo } from './api.js';
import { storage, ui } from './dom.js';
import { fill } from './format.js';
import { messageFor, type Messages } from './messages.js';
import { Outbox, sendWaiting, type Outgoing } from './outbox-store.js';
import type { PageState } from './state.js';

/** What the outbox needs of the page. */
export interface OutboxPage {
  state: PageState;
  messages: Messages;
  /** A memo's list item: a waiting one (`'queued'`) or a stored one (false). */
  render(memo: Memo, pending: false | 'queued'): HTMLLIElement;
  /** A waiting memo was stored (it counts now). */
  stored(memo: Memo): void;
  /** Items came or went: the list says whether it is empty. */
  listChanged(): void;
  /** A memo refused for good goes back into the box. */
  giveBack(text: string): void;
  /** The session ended: the memos keep waiting, for when the person logs in again. */
  sessionExpired(): void;
}

/** The service worker's copy of memo pages and who-am-I (page/sw/sw.ts names it too). */
const DATA_CACHE = 'memo-data';
const RETRY_MS = 30_000;
const SOON_MS = 5_000;
/** A send that hangs must not hold the outbox: it is tried again later, safely. */
const SEND_TIMEOUT_MS = 15_000;

export class OutboxController {
  readonly #outbox: Outbox;
  #flushing: Promise<void> | null = null;

  readonly #page: OutboxPage;

  constructor(page: OutboxPage) {
    this.#page = page;
    this.#outbox = new Outbox(storage, () => page.state.userId);
  }

  /** Memos still waiting (the service was away, say) are tried again now and then. */
  start(): void {
    setInterval(() => {
      if (navigator.onLine && !ui.memoView.hidden && this.#outbox.next()) void this.flush();
    }, RETRY_MS);
  }

  /** Puts a memo in the outbox, shown in place of `item`; false when it cannot wait there. */
  queue(item: HTMLLIElement, memo: Outgoing): boolean {
    if (!this.#outbox.queue(memo)) return false;
    item.replaceWith(this.#render(memo));
    return true;
  }

  /** Shows the waiting memos at the top of the list, oldest lowest (as they will be stored). */
  show(): void {
    for (const item of this.#outbox.read()) if (!this.#itemOf(item.key)) ui.list.prepend(this.#render(item));
    this.#page.listChanged();
  }

  /**
   * Sends the waiting memos (outbox-store.ts: oldest first, each under its own idempotency key).
   * When one cannot go yet it tries again soon while the device says it is online, else at the
   * 'online' event; one the server refuses for good comes back to the box with the reason.
   */
  flush(): Promise<void> {
    const { state, messages } = this.#page;
    this.#flushing ??= (async () => {
      const stateOf = (key: string): Element | null | undefined => this.#itemOf(key)?.querySelector('.pending-state');
      const { sent, stopped } = await sendWaiting(
        this.#outbox,
        (item) =>
          api<Memo>('memo', {
            method: 'POST',
            body: JSON.stringify({ text: item.text }),
            headers: { 'Idempotency-Key': item.key },
            signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
          }),
        {
          sending: (item) => {
            const label = stateOf(item.key);
            if (label) label.textContent = state.t.sending;
          },
          sent: (item, memo) => {
            const li = this.#itemOf(item.key);
            // Stored by an earlier send whose answer never came back (the page reloaded while it
            // was saving): the server answers the same memo again, which the list shows already.
            if (ui.list.querySelector(`li[data-id="${CSS.escape(memo.id)}"]:not([data-outbox])`)) {
              li?.remove();
              return;
            }
            if (li) li.replaceWith(this.#page.render(memo, false));
            else ui.list.prepend(this.#page.render(memo, false));
            this.#page.stored(memo);
          },
          gone: (item) => this.#itemOf(item.key)?.remove(),
          refused: (item, err) => {
            this.#itemOf(item.key)?.remove();
            this.#page.giveBack(item.text);
            messages.say(fill(state.t.errors.addFailed, { reason: messageFor(err, state.speech(), state) }));
          },
          held: (item) => {
            const label = stateOf(item.key);
            if (label) label.textContent = state.t.queued;
          },
        },
      );
      if (stopped === 'later' && navigator.onLine) setTimeout(() => void this.flush(), SOON_MS);
      if (stopped === 'login') this.#page.sessionExpired();
      this.#page.listChanged();
      if (sent > 0) messages.say(fill(state.t.outboxSent, { n: state.number(sent) }));
    })().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  /** Whether memos wait to be sent. */
  waiting(): boolean {
    return this.#outbox.next() !== undefined;
  }

  /** Forgets what this device kept of the person's memos: the offline copy, and with `everything` the outbox. */
  forget(everything: boolean): void {
    if (everything) this.#outbox.clear();
    if ('caches' in window) void caches.delete(DATA_CACHE);
  }

  #itemOf(key: string): HTMLLIElement | null {
    return ui.list.querySelector<HTMLLIElement>(`li[data-outbox="${CSS.escape(key)}"]`);
  }

  #render(item: Outgoing): HTMLLIElement {
    const li = this.#page.render(
      { id: `outbox-${item.key}`, text: item.text, createdAt: item.createdAt, updatedAt: null },
      'queued',
    );
    li.dataset.outbox = item.key;
    return li;
  }
}
