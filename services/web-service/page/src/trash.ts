/**
 * The trash controller (휴지통), loaded the first time the trash is opened (a chunk of its own,
 * not part of the first visit): what the trash holds, restoring a memo (back at the top of the
 * list), deleting one for good, emptying it. It owns what the trash shows; what it needs of the
 * rest of the page comes in as `TrashPage`.
 */
import type { Memo, TrashedMemo, TrashPage as TrashAnswer } from '@memo/common/api-types';
import { RequestFailed, api } from './api.js';
import { bytesOf, fill } from './format.js';
import type { Messages } from './messages.js';
import type { PageState } from './state.js';
import { Shelf } from './shelf.js';
import { TRASH_WORDS } from './trash-strings.js';
import { renderTrash, type TrashHandlers } from './trash-view.js';

/** What the trash needs of the page. */
export interface TrashPage {
  state: PageState;
  messages: Messages;
  failed(err: unknown): void;
  /** Where the trash is shown. */
  body: HTMLElement;
  /** A memo came back: the list loads its first page again (it is at the top). */
  restored(memo: Memo): Promise<void>;
  /** Memos left the trash for good: what they took of the usage. */
  purged(memos: number, bytes: number): void;
  /** The trash was emptied: the usage is asked of the server again. */
  emptied(): Promise<void>;
}

/** Memos of the trash a page of it shows. */
const PAGE = 20;

export class Trash {
  readonly #page: TrashPage;
  readonly #shelf = new Shelf<TrashedMemo>();
  #days = 0;
  readonly #handlers: TrashHandlers = {
    restore: (memo) => void this.#restore(memo),
    purge: (memo) => void this.#purge(memo),
    more: () => void this.#more(),
    empty: () => void this.#empty(),
  };

  constructor(page: TrashPage) {
    this.#page = page;
  }

  /** The first page of the trash, as it is now. */
  async show(): Promise<void> {
    try {
      const answer = await api<TrashAnswer>(`memo/trash?limit=${String(PAGE)}`);
      this.#take(answer, false);
    } catch (err) {
      this.#page.failed(err);
    }
  }

  /** Nothing of anyone is shown (logged out, or another person). */
  clear(): void {
    this.#shelf.clear();
    this.#page.body.replaceChildren();
  }

  /** Shows the trash again, in the page's language now. */
  render(): void {
    renderTrash(
      this.#page.body,
      { memos: this.#shelf.memos, total: this.#shelf.total, more: this.#shelf.next !== null, days: this.#days },
      this.#page.state.speech(),
      this.#handlers,
    );
  }

  #take(answer: TrashAnswer, append: boolean): void {
    this.#shelf.take(answer, append);
    this.#days = answer.days;
    this.render();
  }

  async #more(): Promise<void> {
    const { next } = this.#shelf;
    if (next === null) return;
    try {
      this.#take(await api<TrashAnswer>(`memo/trash?limit=${String(PAGE)}&cursor=${next}`), true);
    } catch (err) {
      this.#page.failed(err);
    }
  }

  /** Takes a memo off what the trash shows (restored or deleted for good). */
  #drop(memo: TrashedMemo): void {
    this.#shelf.drop(memo.id);
    this.render();
  }

  async #restore(memo: TrashedMemo): Promise<void> {
    const { messages, state } = this.#page;
    const words = TRASH_WORDS[state.language];
    try {
      const back = await api<Memo>(`memo/trash/${encodeURIComponent(memo.id)}/restore`, { method: 'POST' });
      this.#drop(memo);
      await this.#page.restored(back);
      messages.say(words.restored);
    } catch (err) {
      if (err instanceof RequestFailed && err.status === 404) return void this.show();
      this.#page.failed(err);
    }
  }

  async #purge(memo: TrashedMemo): Promise<void> {
    const { messages, state } = this.#page;
    const words = TRASH_WORDS[state.language];
    try {
      await api<undefined>(`memo/trash/${encodeURIComponent(memo.id)}`, { method: 'DELETE' });
      this.#drop(memo);
      this.#page.purged(1, bytesOf(memo.text));
      messages.say(words.purged);
    } catch (err) {
      if (err instanceof RequestFailed && err.status === 404) return void this.show();
      this.#page.failed(err);
    }
  }

  async #empty(): Promise<void> {
    const { messages, state } = this.#page;
    const words = TRASH_WORDS[state.language];
    if (!confirm(fill(words.confirm, { n: this.#shelf.total.toLocaleString(state.locale) }))) return;
    try {
      await api<{ deleted: number }>('memo/trash/empty', { method: 'POST' });
      this.clear();
      this.render();
      await this.#page.emptied();
      messages.say(words.emptied);
    } catch (err) {
      this.#page.failed(err);
    }
  }
}
