/**
 * The history controller (편집 기록), loaded the first time a memo's history is opened (a chunk
 * of its own with its view, words and diff, not part of the first visit): a memo's earlier
 * versions in a dialog, making one the text again, forgetting them all. It owns the dialog and
 * what it shows; what it needs of the rest of the page comes in as `HistoryPage`.
 */
import type { Memo, MemoHistory, MemoVersion } from '@memo/common/api-types';
import { RequestFailed, api } from './api.js';
import { bytesOf, fill } from './format.js';
import { HISTORY_WORDS } from './history-strings.js';
import { renderHistory, type HistoryHandlers } from './history-view.js';
import type { Messages } from './messages.js';
import type { PageState } from './state.js';

/** What the history needs of the page. */
export interface HistoryPage {
  state: PageState;
  messages: Messages;
  failed(err: unknown): void;
  /** A version became the memo's text (an edit): the list shows it; `bytes` were added to the usage. */
  restored(memo: Memo, bytes: number): void;
  /** The memo's versions were forgotten: what they took of the usage. */
  forgotten(bytes: number): void;
  /** The memo is not there any more (deleted on another device): the list loads again. */
  gone(): void;
}

export class History {
  readonly #page: HistoryPage;
  readonly #dialog: HTMLDialogElement;
  #history: MemoHistory | null = null;
  /** Where focus goes back to when the dialog closes (its memo's item may be drawn anew by then). */
  #opener: { button: HTMLElement; memoId: string } | null = null;
  readonly #handlers: HistoryHandlers = {
    restore: (version) => void this.#restore(version),
    forget: () => void this.#forget(),
    close: () => this.#dialog.close(),
  };

  constructor(page: HistoryPage) {
    this.#page = page;
    this.#dialog = document.createElement('dialog');
    this.#dialog.id = 'history-dialog';
    this.#dialog.className = 'wide';
    this.#dialog.setAttribute('aria-labelledby', 'history-title');
    this.#dialog.addEventListener('close', () => {
      this.#history = null;
      this.#dialog.replaceChildren();
      this.#focusBack();
    });
    document.body.append(this.#dialog);
  }

  /** Back to the button that opened the history, or the same button of the memo's item drawn anew. */
  #focusBack(): void {
    const opener = this.#opener;
    this.#opener = null;
    if (!opener) return;
    const label = CSS.escape(opener.button.getAttribute('aria-label') ?? '');
    const again = document.querySelector<HTMLElement>(
      `li[data-id="${CSS.escape(opener.memoId)}"] button[aria-label="${label}"]`,
    );
    (opener.button.isConnected ? opener.button : again)?.focus();
  }

  /** Opens the history of `memo` (from the button `opener`, where focus returns). */
  async open(memo: Memo, opener: HTMLElement): Promise<void> {
    this.#opener = { button: opener, memoId: memo.id };
    try {
      this.#history = await api<MemoHistory>(`memo/${encodeURIComponent(memo.id)}/history`);
    } catch (err) {
      this.#failed(err);
      return;
    }
    this.render();
    if (!this.#dialog.open) this.#dialog.showModal();
  }

  /** Shows the history again, in the page's language now. */
  render(): void {
    if (this.#history) renderHistory(this.#dialog, this.#history, this.#page.state.speech(), this.#handlers);
  }

  /** Nothing of anyone is shown (logged out, or another person). */
  clear(): void {
    this.#opener = null;
    if (this.#dialog.open) this.#dialog.close();
    this.#history = null;
    this.#dialog.replaceChildren();
  }

  #failed(err: unknown): void {
    if (err instanceof RequestFailed && err.status === 404) {
      this.clear();
      this.#page.gone();
    }
    this.#page.failed(err);
  }

  async #restore(version: MemoVersion): Promise<void> {
    const history = this.#history;
    if (!history) return;
    const { messages, state } = this.#page;
    try {
      const memo = await api<Memo>(`memo/${encodeURIComponent(history.memo.id)}/history/${String(version.n)}/restore`, {
        method: 'POST',
      });
      // The text it replaced is kept as a version: the usage grows by the restored text.
      this.#page.restored(memo, bytesOf(memo.text));
      messages.say(HISTORY_WORDS[state.language].restored);
      this.#dialog.close();
    } catch (err) {
      this.#failed(err);
    }
  }

  async #forget(): Promise<void> {
    const history = this.#history;
    if (!history) return;
    const { messages, state } = this.#page;
    const words = HISTORY_WORDS[state.language];
    if (!confirm(fill(words.confirmForget, { n: history.versions.length.toLocaleString(state.locale) }))) return;
    try {
      await api<{ forgotten: number }>(`memo/${encodeURIComponent(history.memo.id)}/history`, { method: 'DELETE' });
      this.#page.forgotten(history.versions.reduce((n, v) => n + bytesOf(v.text), 0));
      this.#history = { ...history, versions: [] };
      this.render();
      this.#dialog.querySelector('button')?.focus();
      messages.say(words.forgotten);
    } catch (err) {
      this.#failed(err);
    }
  }
}
