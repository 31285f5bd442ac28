/**
 * The page's elements and the device's small storage: what every other module reaches the
 * document and localStorage through. No state of the page lives here.
 */
import type { KeyValueStore } from './outbox-store.js';

export function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el;
}

/** Every element the page works with, by what it is (their ids are the page's API: stable). */
export const ui = {
  language: $('language') as HTMLButtonElement,
  account: $('account'),
  greeting: $('greeting'),
  logout: $('logout') as HTMLButtonElement,
  status: $('status'),
  undo: $('undo') as HTMLButtonElement,
  relogin: $('relogin') as HTMLAnchorElement,
  announce: $('announce'),
  loading: $('loading'),
  loginView: $('login-view'),
  errorView: $('error-view'),
  errorText: $('error-text'),
  retry: $('retry') as HTMLButtonElement,
  memoView: $('memo-view'),
  form: $('new-memo') as HTMLFormElement,
  text: $('text') as HTMLTextAreaElement,
  counter: $('counter'),
  save: $('save') as HTMLButtonElement,
  previewToggle: $('preview-toggle') as HTMLButtonElement,
  preview: $('preview'),
  search: $('search') as HTMLInputElement,
  list: $('memos') as HTMLUListElement,
  empty: $('empty'),
  noMatch: $('no-match'),
  more: $('more') as HTMLButtonElement,
  usage: $('usage'),
  nameAsk: $('name-ask'),
  nameShare: $('name-share') as HTMLAnchorElement,
  nameDismiss: $('name-dismiss') as HTMLButtonElement,
  transfer: $('transfer'),
  importButton: $('import') as HTMLButtonElement,
  importFile: $('import-file') as HTMLInputElement,
  tagsPanel: $('tags-panel') as HTMLDetailsElement,
  tagsEmpty: $('tags-empty'),
  tagList: $('tag-list') as HTMLUListElement,
  tagFilter: $('tag-filter'),
  tagFilterText: $('tag-filter-text'),
  tagClear: $('tag-clear') as HTMLButtonElement,
  archivePanel: $('archive-panel') as HTMLDetailsElement,
  archiveBody: $('archive-body'),
  trashPanel: $('trash-panel') as HTMLDetailsElement,
  trashBody: $('trash-body'),
  renameDialog: $('rename-dialog') as HTMLDialogElement,
  renameForm: $('rename-form') as HTMLFormElement,
  renameTitle: $('rename-title'),
  renameText: $('rename-text'),
  renameTo: $('rename-to') as HTMLInputElement,
  renameCancel: $('rename-cancel') as HTMLButtonElement,
  deleteAccount: $('delete-account') as HTMLButtonElement,
};

/** localStorage, or nothing when the browser will not keep things (private mode, a full disk). */
export const storage: KeyValueStore = {
  get(key: string): string | null {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key: string, value: string | null): void {
    try {
      if (value === null || value === '') localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch {
      // Private mode or a full disk: the page works, it just remembers less.
    }
  },
};

/** A button with a visible label, a fuller name for screen readers, and what a click does. */
export function button(label: string, aria: string, onClick: () => void, className = ''): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.setAttribute('aria-label', aria);
  if (className) b.className = className;
  b.addEventListener('click', onClick);
  return b;
}

/** A textarea grows with its text, up to a cap set in CSS. */
export function grow(area: HTMLTextAreaElement): void {
  area.style.height = 'auto';
  area.style.height = `${String(area.scrollHeight + 2)}px`;
}

/** A form that sends on its submit button and on Ctrl/⌘+Enter in its text area. */
export function onSend(form: HTMLFormElement, area: HTMLTextAreaElement, send: () => void): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send();
  });
  area.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      send();
    }
  });
}
