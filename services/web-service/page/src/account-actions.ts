/**
 * 가져오기 and 회원 탈퇴 themselves, loaded the first time one is used (account.ts wires the
 * buttons): not part of the first visit. What they need of the page comes in as `AccountPage`.
 */
import { api } from './api.js';
import { ui } from './dom.js';
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
    page.messages.say(fill(state.t.imported, { n: state.number(imported), skipped: state.number(skipped) }));
  } catch (err) {
    page.failed(err);
  }
}

/** 회원 탈퇴: everything of the person is deleted at once, and nothing of them stays here. */
export async function deleteAccount(page: AccountPage): Promise<void> {
  ui.deleteConfirm.disabled = true;
  try {
    await api<unknown>('auth/account', { method: 'DELETE' });
    ui.deleteDialog.close();
    page.left(true);
    page.messages.say(page.state.t.accountDeleted);
  } catch (err) {
    ui.deleteDialog.close();
    page.failed(err);
  } finally {
    ui.deleteConfirm.disabled = false;
  }
}
