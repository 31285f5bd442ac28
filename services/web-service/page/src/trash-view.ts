/**
 * The trash as a view (loaded with trash.ts, the first time the trash is opened): what it
 * holds, each memo's start as plain text with when it was deleted, and its buttons. It is handed
 * what the buttons do; it calls no controller and keeps no state.
 */
import type { TrashedMemo } from '@memo/common/api-types';
import { button } from './dom.js';
import { fill } from './format.js';
import { shelfItem } from './shelf.js';
import type { Speech } from './strings.js';
import { TRASH_WORDS } from './trash-strings.js';

/** What the trash's buttons do. */
export interface TrashHandlers {
  restore(memo: TrashedMemo): void;
  purge(memo: TrashedMemo): void;
  more(): void;
  empty(): void;
}

function item(memo: TrashedMemo, speech: Speech, handlers: TrashHandlers): HTMLLIElement {
  const w = TRASH_WORDS[speech.language];
  return shelfItem(memo, memo.deletedAt, w.deleted, speech, [
    [w.restore, w.restoreLabel, () => handlers.restore(memo), 'quiet'],
    [w.purge, w.purgeLabel, () => handlers.purge(memo), 'quiet danger'],
  ]);
}

/**
 * Fills `body` with the trash as it stands: the note on its days, its memos (the last deleted
 * first), 더 보기 while more are there, and 휴지통 비우기 while it holds any.
 */
export function renderTrash(
  body: HTMLElement,
  view: { memos: readonly TrashedMemo[]; total: number; more: boolean; days: number },
  speech: Speech,
  handlers: TrashHandlers,
): void {
  const { t } = speech;
  const w = TRASH_WORDS[speech.language];
  const note = document.createElement('p');
  note.className = 'hint';
  note.textContent = fill(w.note, { days: view.days });
  const list = document.createElement('ul');
  list.className = 'shelf-list';
  list.setAttribute('aria-label', t.trash);
  list.append(...view.memos.map((memo) => item(memo, speech, handlers)));
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
    parts.push(count, list);
    const row = document.createElement('div');
    row.className = 'row';
    if (view.more) row.append(button(t.more, t.more, () => handlers.more(), 'quiet'));
    row.append(button(w.emptyAll, w.emptyAll, () => handlers.empty(), 'quiet danger'));
    parts.push(row);
  }
  body.replaceChildren(...parts);
}
