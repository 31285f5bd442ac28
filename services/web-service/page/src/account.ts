/**
 * The account controller: 로그아웃, 회원 탈퇴 (after a confirmation that names what goes),
 * 가져오기 of an export or a text file, and the one-time ask for a declined name. What it needs
 * of the rest of the page comes in as `AccountPage`.
 */
import { api } from './api.js';
import { storage, ui } from './dom.js';
import { fill } from './format.js';
import type { Messages } from './messages.js';
import type { PageState } from './state.js';

/** What the account needs of the page. */
export interface AccountPage {
  state: PageState;
  messages: Messages;
  failed(err: unknown): void;
  /** How many memos the list shows (when the usage is not known). */
  shownCount(): number;
  /** Before logging out: a delete waiting for its undo window goes now. */
  settle(): void;
  /** The first page of memos again. */
  reload(): Promise<void>;
  /** The person left this device; `everything` (회원 탈퇴) also takes their waiting memos. */
  left(everything: boolean): void;
}

/** Set once the page has asked a person who declined to share their name: it asks only once. */
const NAME_ASKED_KEY = 'memo:name-asked';

export class Account {
  readonly #page: AccountPage;

  constructor(page: AccountPage) {
    this.#page = page;
  }

  /** Whether to ask this person for their name (once per device, if they declined it). */
  askName(nameDeclined: boolean): boolean {
    if (!nameDeclined || storage.get(NAME_ASKED_KEY) !== null) return false;
    storage.set(NAME_ASKED_KEY, '1');
    return true;
  }

  start(): void {
    const { messages } = this.#page;
    const failed = (err: unknown): void => this.#page.failed(err);
    ui.logout.addEventListener('click', () => {
      this.#page.settle();
      void api<undefined>('auth/logout', { method: 'POST' })
        .then(() => {
          this.#page.left(false);
          messages.say(this.#page.state.t.loggedOut);
        })
        .catch(failed);
    });
    ui.nameDismiss.addEventListener('click', () => (ui.nameAsk.hidden = true));
    // 가져오기: an export (JSON) or a text/Markdown file; what is there already stays as it is.
    ui.importButton.addEventListener('click', () => ui.importFile.click());
    ui.importFile.addEventListener('change', () => {
      const file = ui.importFile.files?.[0];
      ui.importFile.value = '';
      if (file) void this.#import(file);
    });
    ui.deleteAccount.addEventListener('click', () => {
      const { state } = this.#page;
      const count = state.usage?.memos.used ?? this.#page.shownCount();
      ui.deleteText.textContent = fill(state.t.deleteText, { n: state.number(count) });
      ui.deleteDialog.showModal();
      ui.deleteCancel.focus();
    });
    ui.deleteCancel.addEventListener('click', () => ui.deleteDialog.close());
    ui.deleteConfirm.addEventListener('click', () => void this.#deleteAccount());
  }

  async #import(file: File): Promise<void> {
    const type = /\.json$/i.test(file.name) ? 'application/json' : 'text/markdown; charset=utf-8';
    try {
      const body = await file.text();
      const { imported, skipped } = await api<{ imported: number; skipped: number }>('memo/import', {
        method: 'POST',
        body,
        headers: { 'Content-Type': type },
      });
      await this.#page.reload();
      const { state } = this.#page;
      this.#page.messages.say(fill(state.t.imported, { n: state.number(imported), skipped: state.number(skipped) }));
    } catch (err) {
      this.#page.failed(err);
    }
  }

  /** 회원 탈퇴: everything of the person is deleted at once, and nothing of them stays here. */
  async #deleteAccount(): Promise<void> {
    ui.deleteConfirm.disabled = true;
    try {
      await api<unknown>('auth/account', { method: 'DELETE' });
      ui.deleteDialog.close();
      this.#page.left(true);
      this.#page.messages.say(this.#page.state.t.accountDeleted);
    } catch (err) {
      ui.deleteDialog.close();
      this.#page.failed(err);
    } finally {
      ui.deleteConfirm.disabled = false;
    }
  }
}
