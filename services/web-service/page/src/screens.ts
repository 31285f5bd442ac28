/**
 * The page's screens as a view: loading, the login, an error with 다시 시도, and the memos with the
 * person's account bar; and the fixed words of the page in its language. It shows what it is
 * given and keeps nothing.
 */
import { ui } from './dom.js';
import { fill } from './format.js';
import type { Speech, Strings } from './strings.js';

/** Shows one screen (null: none) and hides the others. */
export function showOnly(view: HTMLElement | null): void {
  for (const v of [ui.loading, ui.loginView, ui.errorView, ui.memoView]) v.hidden = v !== view;
}

/** The login screen, with nothing of anyone's account left on it. */
export function showLogin(): void {
  ui.account.hidden = true;
  ui.transfer.hidden = true;
  ui.nameAsk.hidden = true;
  ui.deleteAccount.hidden = true;
  ui.greeting.textContent = '';
  showOnly(ui.loginView);
}

/** The error screen: what went wrong, and 다시 시도 doing `retry`. */
export function showError(message: string, retry: () => void): void {
  ui.errorText.textContent = message;
  ui.retry.onclick = retry;
  showOnly(ui.errorView);
}

/** The account bar of the person logged in; `askName`: ask once for the name they declined. */
export function showAccount(name: string, askName: boolean, { t }: Speech): void {
  ui.nameAsk.hidden = !askName;
  ui.greeting.textContent = fill(t.greeting, { name });
  ui.account.hidden = false;
  ui.deleteAccount.hidden = false;
  ui.transfer.hidden = false;
}

/** Every fixed word of the page (`data-i18n*` attributes) in the language of `speech`. */
export function translate({ t, language }: Speech, userName: string): void {
  document.documentElement.lang = language;
  document.title = t.title;
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const value = t[el.dataset.i18n as keyof Strings];
    if (typeof value === 'string') el.textContent = value;
  }
  for (const el of document.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]')) {
    const value = t[el.dataset.i18nPlaceholder as keyof Strings];
    if (typeof value === 'string') el.placeholder = value;
  }
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n-label]')) {
    const value = t[el.dataset.i18nLabel as keyof Strings];
    if (typeof value === 'string') el.setAttribute('aria-label', value);
  }
  ui.language.textContent = t.switchLanguage;
  ui.language.lang = language === 'ko' ? 'en' : 'ko';
  ui.language.title = t.switchLanguageLabel;
  if (userName) ui.greeting.textContent = fill(t.greeting, { name: userName });
}
