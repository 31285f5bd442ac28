/**
 * 가져오기 and 회원 탈퇴 themselves, loaded the first time one is used (account.ts wires the
 * buttons): not part of the first visit, nor are 회원 탈퇴's dialog and their words
 * (account-strings.ts). What they need of the page comes in as `AccountPage`.
 */
import { ACCOUNT_WORDS, type AccountWords } from './account-strings.js';
import { api } from './api.js';
import { button } from './dom.js';
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

const wordsOf = (page: AccountPage): AccountWords => ACCOUNT_WORDS[page.state.language];

/** 가져오기: an export (JSON) or a text/Markdown file; what is there already stays as it is. */
export async function importFile(page: AccountPage, file: File): Promise<void> {
  const type = /\.json$/i.test(file.name) ? 'application/json' : 'text/markdown; charset=utf-8';
  try {
    const body = await file.text();
    const { imported, skipped } = await api<{ imported: number; skipped: number }>('memo/import', {
      method: 'POST',
      body,
      headers: { 'Content-Type': type },
    });
    await page.reload();
    const { state } = page;
    page.messages.say(fill(wordsOf(page).imported, { n: state.number(imported), skipped: state.number(skipped) }));
  } catch (err) {
    page.failed(err);
  }
}

/** 회원 탈퇴's dialog: one, made when this chunk loads. */
const dialog = document.createElement('dialog');
dialog.id = 'delete-dialog';
dialog.setAttribute('aria-labelledby', 'delete-title');
dialog.setAttribute('aria-describedby', 'delete-text');
document.body.append(dialog);

/**
 * 회원 탈퇴's confirmation, naming what goes, drawn anew in the page's language each time it
 * opens. Nothing happens until its confirm is pressed; 취소 (or Escape) closes it.
 */
export function confirmDelete(page: AccountPage): void {
  const words = wordsOf(page);
  const { state } = page;
  const title = document.createElement('h2');
  title.id = 'delete-title';
  title.textContent = words.deleteTitle;
  const text = document.createElement('p');
  text.id = 'delete-text';
  text.textContent = fill(words.deleteText, { n: state.number(state.usage?.memos.used ?? page.shownCount()) });
  const cancel = button(state.t.cancel, state.t.cancel, () => dialog.close());
  const confirm = button(words.deleteConfirm, words.deleteConfirm, () => void deleteAccount(page, confirm), 'danger');
  const row = document.createElement('div');
  row.className = 'row';
  row.append(cancel, confirm);
  dialog.replaceChildren(title, text, row);
  dialog.showModal();
  cancel.focus();
}

/** 회원 탈퇴: everything of the person is deleted at once, and nothing of them stays here. */
async function deleteAccount(page: AccountPage, confirm: HTMLButtonElement): Promise<void> {
  confirm.disabled = true;
  try {
    await api<unknown>('auth/account', { method: 'DELETE' });
    dialog.close();
    page.left(true);
    page.messages.say(wordsOf(page).accountDeleted);
  } catch (err) {
    dialog.close();
    page.failed(err);
  } finally {
    confirm.disabled = false;
  }
}
