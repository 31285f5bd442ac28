/**
 * The account controller: 로그아웃, 회원 탈퇴 and 가져오기 of an export or a text file (their
 * buttons), and the one-time ask for a declined name. What it needs
 * of the rest of the page comes in as `AccountPage`; the import and the deletion themselves load
 * when first used (account-actions.ts).
 */
import type { AccountPage } from './account-actions.js';
import { api } from './api.js';
import { storage, ui } from './dom.js';
import { onDemand } from './on-demand.js';

export type { AccountPage };

/**
 * 가져오기 and 회원 탈퇴 themselves (account-actions.ts, with 회원 탈퇴's dialog and their words),
 * loaded when first used: a chunk of their own, not part of the first visit.
 */
const actions = onDemand(() => import('./account-actions.js')).get;

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
      if (file) void actions().then((a) => a.importFile(this.#page, file), failed);
    });
    ui.deleteAccount.addEventListener('click', () => void actions().then((a) => a.confirmDelete(this.#page), failed));
  }
}
