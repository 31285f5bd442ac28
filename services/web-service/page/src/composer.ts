/**
 * The composer controller: the box, its counter and preview, the person's draft, and sending a
 * memo (shown at once, taken back if it is refused, left in the outbox when offline). It owns
 * the draft and the counter; the list and the outbox come in as `ComposerPage`.
 */
import { RequestFailed, api, type Memo } from './api.js';
import { grow, onSend, storage, ui } from './dom.js';
import { Drafts } from './drafts.js';
import { fill } from './format.js';
import { renderText } from './memo-view.js';
import { messageFor, type Messages } from './messages.js';
import { randomKey, type Outgoing } from './outbox-store.js';
import type { PageState } from './state.js';
import { Counter, givenBack, refusal } from './writing.js';

/** What the composer needs of the page. */
export interface ComposerPage {
  state: PageState;
  messages: Messages;
  /** Shows a memo being saved at the top of the list; its item. */
  showSaving(text: string, createdAt: string): HTMLLIElement;
  /** The memo was stored: `item` shows it as stored. */
  stored(item: HTMLLIElement, memo: Memo): void;
  /** The memo was not stored: `item` goes. */
  dropped(item: HTMLLIElement): void;
  /** Offline: the memo waits on the device in place of `item`; false when it cannot wait. */
  queue(item: HTMLLIElement, memo: Outgoing): boolean;
}

export class Composer {
  readonly #drafts = new Drafts(storage);
  readonly #counter = new Counter();

  readonly #page: ComposerPage;

  constructor(page: ComposerPage) {
    this.#page = page;
  }

  start(): void {
    onSend(ui.form, ui.text, () => void this.#send());
    ui.text.addEventListener('input', () => this.#changed());
    ui.previewToggle.addEventListener('click', () => this.#togglePreview());
    this.updateCounter();
  }

  /** Someone is logged in: the box is theirs, and so is the draft it brings back (drafts.ts). */
  adopt(userId: string): void {
    this.#drafts.adopt(userId);
  }

  /** Brings back what the person was writing here, if the box is empty. */
  restoreDraft(): void {
    const draft = this.#drafts.current();
    if (draft && ui.text.value === '') {
      ui.text.value = draft;
      this.#changed();
    }
  }

  /** The person left (logout, 회원 탈퇴): the box empties and their draft goes. */
  clear(): void {
    this.#drafts.keep(null);
    ui.text.value = '';
    this.#changed();
  }

  /** The session ended while writing: what was typed stays in the box and on this device. */
  sessionExpired(): void {
    const { t } = this.#page.state;
    this.#drafts.keep(ui.text.value);
    this.#page.messages.say(`${t.errors.unauthorized} ${ui.text.value.trim() === '' ? '' : t.draftKept}`.trim(), {
      relogin: true,
    });
  }

  /** A memo that was not stored goes back into the box, before anything typed there meanwhile. */
  giveBack(text: string): void {
    ui.text.value = givenBack(ui.text.value, text);
    this.#changed();
  }

  /** The counter and the preview in the page's language and limits now. */
  relabel(): void {
    this.updateCounter();
    this.#updatePreview();
  }

  updateCounter(): void {
    const { state, messages } = this.#page;
    const reading = this.#counter.read(ui.text.value, state.maxLength, state.speech());
    ui.counter.textContent = reading.text;
    ui.counter.dataset.level = reading.level;
    if (reading.announce !== null) messages.announce(reading.announce);
  }

  #changed(): void {
    grow(ui.text);
    this.updateCounter();
    this.#updatePreview();
    this.#drafts.keep(ui.text.value);
  }

  /** The live preview, while it is on: what the memo will look like (tasks not clickable yet). */
  #updatePreview(): void {
    const speech = this.#page.state.speech();
    ui.preview.dataset.empty = speech.t.previewEmpty;
    if (ui.preview.hidden) return;
    ui.preview.replaceChildren(...(ui.text.value.trim() === '' ? [] : renderText(ui.text.value, speech).childNodes));
  }

  #togglePreview(): void {
    ui.preview.hidden = !ui.preview.hidden;
    ui.previewToggle.setAttribute('aria-pressed', String(!ui.preview.hidden));
    this.#updatePreview();
  }

  /** The memo shows at once; if the save fails it goes away again and the text comes back. */
  async #send(): Promise<void> {
    const { state, messages } = this.#page;
    const { t } = state;
    const text = ui.text.value;
    const refused = refusal(text, state.maxLength);
    if (refused !== null) {
      messages.say(fill(t.errors[refused], { max: state.number(state.maxLength) }));
      ui.text.focus();
      return;
    }
    const key = randomKey();
    const createdAt = new Date().toISOString();
    const item = this.#page.showSaving(text, createdAt);
    // The box empties at once, but the draft kept on the device goes only once the memo is
    // stored: a reload meanwhile brings the text back rather than losing it.
    ui.text.value = '';
    grow(ui.text);
    this.updateCounter();
    try {
      // With a key of its own, so that sending it again (from the outbox) can never add it twice.
      const memo = await api<Memo>('memo', {
        method: 'POST',
        body: JSON.stringify({ text }),
        headers: { 'Idempotency-Key': key },
      });
      if (ui.text.value === '') this.#drafts.keep(null);
      this.#page.stored(item, memo);
      messages.say('');
      messages.announce(t.added);
    } catch (err) {
      if (err instanceof RequestFailed && err.code === 'offline' && this.#page.queue(item, { key, text, createdAt })) {
        // Offline: the memo waits on this device and goes once the connection is back.
        if (ui.text.value === '') this.#drafts.keep(null);
        messages.say(t.queuedSaid);
        return;
      }
      this.#page.dropped(item);
      this.giveBack(text);
      if (err instanceof RequestFailed && err.status === 401) {
        this.sessionExpired();
        return;
      }
      messages.say(fill(t.errors.addFailed, { reason: messageFor(err, state.speech(), state) }));
    }
  }
}
