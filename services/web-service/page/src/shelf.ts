/**
 * What the trash and the archive share (each loads it with its own chunk): the pages of memos
 * kept off the list that a panel shows, and a memo of them as a list item. State and a view
 * helper; neither calls a controller.
 */
import type { Memo } from '@memo/common/api-types';
import { button } from './dom.js';
import { fill, formatFull, formatWhen } from './format.js';
import type { Speech } from './strings.js';

/** A page of a shelf as the API answers it. */
export interface ShelfAnswer<T extends Memo> {
  memos: T[];
  total: number;
  nextCursor: string | null;
}

/** The memos a panel has loaded, how many there are in all, and where the next page starts. */
export class Shelf<T extends Memo> {
  memos: T[] = [];
  total = 0;
  next: string | null = null;

  take(answer: ShelfAnswer<T>, append: boolean): void {
    this.memos = append ? [...this.memos, ...answer.memos] : answer.memos;
    this.total = answer.total;
    this.next = answer.nextCursor;
  }

  /** A memo left the shelf (restored, or deleted for good): the next page starts one earlier. */
  drop(id: string): void {
    this.memos = this.memos.filter((m) => m.id !== id);
    this.total = Math.max(0, this.total - 1);
    if (this.next !== null) this.next = String(Math.max(0, Number(this.next) - 1));
  }

  clear(): void {
    this.memos = [];
    this.total = 0;
    this.next = null;
  }
}

/** The start of a memo, as a shelf shows it (plain text, never its Markdown). */
const PREVIEW = 200;
const preview = (text: string): string => (text.length > PREVIEW ? `${text.slice(0, PREVIEW)}…` : text);

/** A button of a shelf's memo: its word, its label (`{text}`: the memo's start), what it does, its class. */
export type ShelfButton = [label: string, aria: string, onClick: () => void, className: string];

/** A memo of a shelf: its start, when it got there (`words` says it, with `{when}`), its buttons. */
export function shelfItem(
  memo: Memo,
  at: string,
  words: string,
  { t, locale }: Speech,
  buttons: ShelfButton[],
): HTMLLIElement {
  const li = document.createElement('li');
  li.className = 'shelf-item';
  li.dataset.id = memo.id;
  const text = document.createElement('p');
  text.className = 'shelf-text';
  text.textContent = preview(memo.text);
  const when = document.createElement('time');
  when.dateTime = at;
  when.textContent = fill(words, { when: formatWhen(at, new Date(), t.justNow, locale) });
  when.title = formatFull(at, locale);
  const short = preview(memo.text).slice(0, 40);
  const actions = document.createElement('span');
  actions.className = 'actions';
  actions.append(
    ...buttons.map(([label, aria, onClick, className]) =>
      button(label, fill(aria, { text: short }), onClick, className),
    ),
  );
  li.append(text, when, actions);
  return li;
}
