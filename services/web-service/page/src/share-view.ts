/**
 * The share dialog as a view (loaded with share.ts, the first time a memo's 공유 is pressed):
 * this memo's link with its expiry, copy and stop buttons, or the choice of how long to share and
 * the button that makes one; then every link of the person, each to open or stop. It is handed
 * what the buttons do; it calls no controller and keeps no state.
 */
import type { Memo, ShareList } from '@memo/common/api-types';
import { button } from './dom.js';
import { fill, formatFull } from './format.js';
import { SHARE_WORDS, type ShareWords } from './share-strings.js';
import type { Speech } from './strings.js';

export interface ShareHandlers {
  /** A link to the memo, opening for `days` (null: until stopped). */
  make(days: number | null): void;
  stop(memoId: string): void;
  copy(field: HTMLInputElement): void;
  close(): void;
}

/** What the dialog shows: the memo it was opened for, and the person's links. */
export interface ShareView {
  memo: Memo;
  list: ShareList;
  /** A link's address (`<base>s/<token>`). */
  urlOf(token: string): string;
}

/** How long a new link may open, in days (null: until stopped). */
const EXPIRIES = [null, 1, 7, 30] as const;

function paragraph(text: string, className = ''): HTMLParagraphElement {
  const p = document.createElement('p');
  p.textContent = text;
  if (className) p.className = className;
  return p;
}

function until(expiresAt: string | null, w: ShareWords, locale: string): string {
  return expiresAt === null ? w.forever : fill(w.until, { when: formatFull(expiresAt, locale) });
}

/** This memo's link: the address to copy, how long it opens, and stopping it. */
function current(
  url: string,
  expiresAt: string | null,
  memoId: string,
  w: ShareWords,
  speech: Speech,
  on: ShareHandlers,
): HTMLElement[] {
  const label = document.createElement('label');
  label.htmlFor = 'share-url';
  label.textContent = w.link;
  const field = document.createElement('input');
  field.id = 'share-url';
  field.readOnly = true;
  field.value = url;
  field.addEventListener('focus', () => field.select());
  const row = document.createElement('div');
  row.className = 'row share-url';
  row.append(
    field,
    button(w.copy, w.copyLabel, () => on.copy(field)),
  );
  const stop = document.createElement('div');
  stop.className = 'row';
  stop.append(button(w.stop, w.stop, () => on.stop(memoId), 'danger'));
  return [label, row, paragraph(until(expiresAt, w, speech.locale), 'hint'), stop];
}

/** No link yet: how long, and the button that makes one. */
function maker(w: ShareWords, on: ShareHandlers): HTMLElement[] {
  const label = document.createElement('label');
  label.htmlFor = 'share-expiry';
  label.textContent = w.expiry;
  const select = document.createElement('select');
  select.id = 'share-expiry';
  for (const days of EXPIRIES) {
    const option = document.createElement('option');
    option.value = days === null ? '' : String(days);
    option.textContent = days === null ? w.never : fill(w.days, { n: days });
    select.append(option);
  }
  const row = document.createElement('div');
  row.className = 'row';
  row.append(
    label,
    select,
    button(w.make, w.make, () => on.make(select.value === '' ? null : Number(select.value))),
  );
  return [row];
}

/** Every link of the person, the newest first. */
function all(view: ShareView, w: ShareWords, speech: Speech, on: ShareHandlers): HTMLElement[] {
  const heading = document.createElement('h3');
  heading.id = 'share-mine';
  heading.textContent = fill(w.mine, { n: view.list.links.length, max: view.list.max });
  if (view.list.links.length === 0) return [heading, paragraph(w.none, 'hint')];
  const list = document.createElement('ul');
  list.className = 'shelf-list';
  list.setAttribute('aria-labelledby', heading.id);
  for (const link of view.list.links) {
    const li = document.createElement('li');
    li.className = 'shelf-item';
    const open = document.createElement('a');
    open.href = view.urlOf(link.token);
    open.target = '_blank';
    open.rel = 'noopener noreferrer';
    open.textContent = w.open;
    open.setAttribute('aria-label', fill(w.openLabel, { title: link.title }));
    const row = document.createElement('div');
    row.className = 'row';
    row.append(
      open,
      button(w.stop, fill(w.stopLabel, { title: link.title }), () => on.stop(link.memoId), 'quiet'),
    );
    li.append(paragraph(link.title, 'shelf-text'), paragraph(until(link.expiresAt, w, speech.locale), 'hint'), row);
    list.append(li);
  }
  return [heading, list];
}

/** Fills `body` with the share dialog of `view.memo`. */
export function renderShare(body: HTMLElement, view: ShareView, speech: Speech, on: ShareHandlers): void {
  const w = SHARE_WORDS[speech.language];
  const title = document.createElement('h2');
  title.id = 'share-title';
  title.tabIndex = -1;
  title.textContent = w.title;
  const mine = view.list.links.find((l) => l.memoId === view.memo.id);
  const close = document.createElement('div');
  close.className = 'row';
  close.append(button(w.close, w.close, () => on.close()));
  body.replaceChildren(
    title,
    paragraph(w.note, 'hint'),
    ...(mine ? current(view.urlOf(mine.token), mine.expiresAt, mine.memoId, w, speech, on) : maker(w, on)),
    ...all(view, w, speech, on),
    close,
  );
}
