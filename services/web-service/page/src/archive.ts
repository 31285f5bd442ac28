/**
 * The archive controller (보관함), loaded the first time the archive is opened (a chunk of its
 * own, not part of the first visit): what the archive holds, or a tag's archived memos while
 * the list shows that tag; a search over them (the rest loads while there is a query); putting
 * a memo back at the top of the list. It owns what the archive shows; what it needs of the rest
 * of the page comes in as `ArchivePage`.
 */
import type { ArchivedMemo, ArchivePage as ArchiveAnswer, Memo } from '@memo/common/api-types';
import { RequestFailed, api } from './api.js';
import { ARCHIVE_WORDS } from './archive-strings.js';
import { renderArchive, type ArchiveHandlers } from './archive-view.js';
import { Shelf } from './shelf.js';
import type { Messages } from './messages.js';
import type { PageState } from './state.js';

/** What the archive needs of the page. */
export interface ArchivePage {
  state: PageState;
  messages: Messages;
  failed(err: unknown): void;
  /** Where the archive is shown. */
  body: HTMLElement;
  /** The tag the list is filtered by: the archive shows that tag's memos (null: all). */
  tag(): string | null;
  /** A memo came back: the list loads its first page again (it is at the top). */
  restored(memo: Memo): Promise<void>;
  /** A memo was deleted from the archive: into the trash, or (without one) out of the usage. */
  removed(memo: Memo): void;
}

/** Memos a page of the archive shows, and at most how many a search loads. */
const PAGE = 20;
const SEARCH_MAX = 1_000;

export class Archive {
  readonly #page: ArchivePage;
  readonly #shelf = new Shelf<ArchivedMemo>();
  #tag: string | null = null;
  #loading: Promise<void> | null = null;
  readonly #handlers: ArchiveHandlers = {
    restore: (memo) => void this.#restore(memo),
    remove: (memo) => void this.#remove(memo),
    more: () => void this.#more(),
    search: (query) => void this.#searchAll(query),
  };

  constructor(page: ArchivePage) {
    this.#page = page;
  }

  /** The first page of the archive (of the list's tag, with one), as it is now. */
  async show(): Promise<void> {
    this.#tag = this.#page.tag();
    const tag = this.#tag === null ? '' : `&tag=${encodeURIComponent(this.#tag)}`;
    try {
      this.#take(await api<ArchiveAnswer>(`memo/archive?limit=${String(PAGE)}${tag}`), false);
    } catch (err) {
      this.#page.failed(err);
    }
  }

  /** Nothing of anyone is shown (logged out, or another person). */
  clear(): void {
    this.#shelf.clear();
    this.#page.body.replaceChildren();
  }

  /** Shows the archive again, in the page's language now. */
  render(): void {
    renderArchive(
      this.#page.body,
      { memos: this.#shelf.memos, total: this.#shelf.total, more: this.#shelf.next !== null, tag: this.#tag },
      this.#page.state.speech(),
      this.#handlers,
    );
  }

  #take(answer: ArchiveAnswer, append: boolean): void {
    this.#shelf.take(answer, append);
    this.render();
  }

  #more(): Promise<void> {
    this.#loading ??= (async () => {
      const { next } = this.#shelf;
      if (next === null) return;
      const tag = this.#tag === null ? '' : `&tag=${encodeURIComponent(this.#tag)}`;
      try {
        this.#take(await api<ArchiveAnswer>(`memo/archive?limit=100&cursor=${next}${tag}`), true);
      } catch (err) {
        this.#page.failed(err);
      }
    })().finally(() => (this.#loading = null));
    return this.#loading;
  }

  /** A search covers every archived memo: the rest loads (up to SEARCH_MAX) while there is a query. */
  async #searchAll(query: string): Promise<void> {
    const shelf = this.#shelf;
    while (query.trim() !== '' && shelf.next !== null && shelf.memos.length < SEARCH_MAX) {
      const before = shelf.memos.length;
      await this.#more();
      if (shelf.memos.length === before) return;
    }
  }

  async #restore(memo: ArchivedMemo): Promise<void> {
    const { messages, state } = this.#page;
    try {
      const back = await api<Memo>(`memo/archive/${encodeURIComponent(memo.id)}/restore`, { method: 'POST' });
      this.#shelf.drop(memo.id);
      this.render();
      await this.#page.restored(back);
      messages.say(ARCHIVE_WORDS[state.language].restored);
    } catch (err) {
      if (err instanceof RequestFailed && err.status === 404) return void this.show();
      this.#page.failed(err);
    }
  }

  async #remove(memo: ArchivedMemo): Promise<void> {
    const { messages, state } = this.#page;
    try {
      await api<undefined>(`memo/archive/${encodeURIComponent(memo.id)}`, { method: 'DELETE' });
      this.#shelf.drop(memo.id);
      this.render();
      this.#page.removed(memo);
      messages.say(state.trashDays > 0 ? state.t.removedToTrash : state.t.removed);
    } catch (err) {
      if (err instanceof RequestFailed && err.status === 404) return void this.show();
      this.#page.failed(err);
    }
  }
}
