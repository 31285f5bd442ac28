/**
 * The archive as a view (loaded with archive.ts, the first time the archive is opened): the
 * note (or the tag it shows), a search over the archived memos, each memo's start as plain text
 * with when it was archived, and its button. It is handed what the person does; it calls no
 * controller and keeps no state (the search box is kept across renders, with what was typed).
 */
import type { ArchivedMemo } from '@memo/common/api-types';
import { button } from './dom.js';
import { fill, matches } from './format.js';
import { ARCHIVE_WORDS } from './archive-strings.js';
import { shelfItem } from './shelf.js';
import type { Speech } from './strings.js';

export interface ArchiveHandlers {
  restore(memo: ArchivedMemo): void;
  /** Deletes it (to the trash, where there is one). */
  remove(memo: ArchivedMemo): void;
  more(): void;
  /** The search changed: the archive loads the rest while there is a query. */
  search(query: string): void;
}

function item(memo: ArchivedMemo, speech: Speech, handlers: ArchiveHandlers): HTMLLIElement {
  const w = ARCHIVE_WORDS[speech.language];
  return shelfItem(memo, memo.archivedAt, w.archivedAt, speech, [
    [w.restore, w.restoreLabel, () => handlers.restore(memo), 'quiet'],
    [w.remove, w.removeLabel, () => handlers.remove(memo), 'quiet danger'],
  ]);
}

/** Shows only the memos that match the search; says so when none does. */
function applySearch(list: HTMLElement, memos: readonly ArchivedMemo[], query: string, noMatch: HTMLElement): void {
  const items = [...list.children] as HTMLElement[];
  items.forEach((li, i) => (li.hidden = !matches(memos[i]?.text ?? '', query)));
  noMatch.hidden = items.length === 0 || items.some((li) => !li.hidden);
}

/** Fills `body` with the archive as it stands (the memos of `tag`, with one). */
export function renderArchive(
  body: HTMLElement,
  view: { memos: readonly ArchivedMemo[]; total: number; more: boolean; tag: string | null },
  speech: Speech,
  handlers: ArchiveHandlers,
): void {
  const { t } = speech;
  const w = ARCHIVE_WORDS[speech.language];
  const note = document.createElement('p');
  note.className = 'hint';
  note.textContent = view.tag === null ? w.note : fill(w.tagNote, { tag: view.tag });
  // The search box stays what it was (focus, caret, query) when the archive is drawn again.
  let search = body.querySelector<HTMLInputElement>('input[type="search"]');
  if (!search) {
    search = document.createElement('input');
    search.type = 'search';
    search.autocomplete = 'off';
  }
  search.placeholder = w.search;
  search.setAttribute('aria-label', w.search);
  const list = document.createElement('ul');
  list.className = 'shelf-list';
  list.setAttribute('aria-label', t.archive);
  list.append(...view.memos.map((memo) => item(memo, speech, handlers)));
  const noMatch = document.createElement('p');
  noMatch.className = 'hint';
  noMatch.textContent = w.noMatch;
  const input = search;
  input.oninput = () => {
    applySearch(list, view.memos, input.value, noMatch);
    handlers.search(input.value);
  };
  applySearch(list, view.memos, input.value, noMatch);
  const parts: HTMLElement[] = [note];
  if (view.total === 0) {
    const empty = document.createElement('p');
    empty.className = 'hint';
    empty.textContent = w.empty;
    parts.push(empty);
  } else {
    const count = document.createElement('p');
    count.className = 'hint';
    count.textContent = fill(w.count, { n: view.total.toLocaleString(speech.locale) });
    parts.push(search, count, list, noMatch);
    if (view.more) parts.push(button(t.more, t.more, () => handlers.more(), 'quiet'));
  }
  body.replaceChildren(...parts);
}
