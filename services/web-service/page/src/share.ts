/**
 * The share controller (공유), loaded the first time a memo's 공유 is pressed (a chunk of its own
 * with its view and words): a memo's read-only link in a dialog, made, copied or stopped, and the
 * person's other links. It owns the dialog and what it shows; what it needs of the rest of the
 * page comes in as `SharePage`.
 */
import type { Memo, ShareLink, ShareList } from '@memo/common/api-types';
import { RequestFailed, api } from './api.js';
import { fill } from './format.js';
import { SHARE_WORDS } from './share-strings.js';
import { renderShare, type ShareHandlers } from './share-view.js';
import type { PageState } from './state.js';

/** What the share dialog needs of the page. */
export interface SharePage {
  state: PageState;
  failed(err: unknown): void;
  /** The memo is not there any more (deleted on another device): the list loads again. */
  gone(): void;
  /** The person's links as they are now: the list marks their memos. */
  linked(list: ShareList): void;
}

/** A link's address: `s/<token>` beside the page, under its sub-path too. */
const urlOf = (token: string): string => new URL(`s/${token}`, document.baseURI).href;

export class Shares {
  readonly #page: SharePage;
  readonly #dialog: HTMLDialogElement;
  /** The dialog's content, drawn anew on every change. */
  readonly #body = document.createElement('div');
  /** What the last action did, said inside the dialog (the page's own status is behind it). */
  readonly #status = document.createElement('p');
  #memo: Memo | null = null;
  #list: ShareList | null = null;
  #opener: HTMLElement | null = null;
  readonly #handlers: ShareHandlers = {
    make: (days) => void this.#make(days),
    stop: (memoId) => void this.#stop(memoId),
    copy: (field) => void this.#copy(field),
    close: () => this.#dialog.close(),
  };

  constructor(page: SharePage) {
    this.#page = page;
    this.#dialog = document.createElement('dialog');
    this.#dialog.id = 'share-dialog';
    this.#dialog.className = 'wide';
    this.#dialog.setAttribute('aria-labelledby', 'share-title');
    this.#status.setAttribute('role', 'status');
    this.#status.className = 'hint';
    this.#dialog.append(this.#body, this.#status);
    this.#dialog.addEventListener('close', () => {
      this.#memo = null;
      this.#list = null;
      this.#body.replaceChildren();
      this.#status.textContent = '';
      if (this.#opener?.isConnected) this.#opener.focus();
      this.#opener = null;
    });
    document.body.append(this.#dialog);
  }

  /** Opens the share dialog of `memo` (from the button `opener`, where focus returns). */
  async open(memo: Memo, opener: HTMLElement): Promise<void> {
    this.#opener = opener;
    this.#memo = memo;
    this.#status.textContent = '';
    if (!(await this.#load())) return;
    if (!this.#dialog.open) this.#dialog.showModal();
  }

  async #load(): Promise<boolean> {
    try {
      this.#list = await api<ShareList>('memo/shares');
    } catch (err) {
      this.#page.failed(err);
      return false;
    }
    this.#page.linked(this.#list);
    this.render();
    return true;
  }

  /** Shows the dialog again, in the page's language now. */
  render(): void {
    if (!this.#memo || !this.#list) return;
    renderShare(this.#body, { memo: this.#memo, list: this.#list, urlOf }, this.#page.state.speech(), this.#handlers);
  }

  /** Nothing of anyone is shown (logged out, or another person). */
  clear(): void {
    this.#opener = null;
    if (this.#dialog.open) this.#dialog.close();
    this.#memo = null;
    this.#list = null;
    this.#body.replaceChildren();
    this.#status.textContent = '';
  }

  #say(message: string): void {
    this.#status.textContent = message;
  }

  get #words(): (typeof SHARE_WORDS)['ko'] {
    return SHARE_WORDS[this.#page.state.language];
  }

  async #make(days: number | null): Promise<void> {
    const memo = this.#memo;
    if (!memo) return;
    try {
      await api<ShareLink>(`memo/${encodeURIComponent(memo.id)}/share`, {
        method: 'POST',
        body: JSON.stringify({ expiresInDays: days }),
      });
    } catch (err) {
      if (err instanceof RequestFailed && err.code === 'shares_full') {
        this.#say(fill(this.#words.full, { max: this.#list?.max ?? 0 }));
        return;
      }
      if (err instanceof RequestFailed && err.status === 404) {
        this.clear();
        this.#page.gone();
      }
      this.#page.failed(err);
      return;
    }
    this.#say(this.#words.made);
    if (await this.#load()) this.#dialog.querySelector<HTMLInputElement>('#share-url')?.focus();
  }

  async #stop(memoId: string): Promise<void> {
    try {
      await api<undefined>(`memo/${encodeURIComponent(memoId)}/share`, { method: 'DELETE' });
    } catch (err) {
      // Already stopped (on another device, or its memo deleted): the list shows so.
      if (!(err instanceof RequestFailed && err.status === 404)) {
        this.#page.failed(err);
        return;
      }
    }
    this.#say(this.#words.stopped);
    if (await this.#load()) this.#dialog.querySelector<HTMLElement>('#share-title')?.focus();
  }

  async #copy(field: HTMLInputElement): Promise<void> {
    try {
      await navigator.clipboard.writeText(field.value);
      this.#say(this.#words.copied);
    } catch {
      // No clipboard (a plain-http host): the address is selected for the person to copy.
      field.focus();
      field.select();
      this.#say(this.#words.selected);
    }
  }
}
