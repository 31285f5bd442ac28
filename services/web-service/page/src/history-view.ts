/**
 * A memo's history as a view (loaded with history.ts, the first time a history is opened): each
 * earlier version, the newest first, with when it was written and replaced, what the edit after
 * it changed (diff.ts: removed and added words marked, and said in words for screen readers),
 * and its buttons. It is handed what the buttons do; it calls no controller and keeps no state.
 */
import type { MemoHistory, MemoVersion } from '@memo/common/api-types';
import { changes } from './diff.js';
import { button } from './dom.js';
import { fill, formatFull, formatWhen } from './format.js';
import { HISTORY_WORDS, type HistoryWords } from './history-strings.js';
import type { Speech } from './strings.js';

export interface HistoryHandlers {
  restore(version: MemoVersion): void;
  forget(): void;
  close(): void;
}

function time(iso: string, words: string, { t, locale }: Speech): HTMLTimeElement {
  const el = document.createElement('time');
  el.dateTime = iso;
  el.textContent = fill(words, { when: formatWhen(iso, new Date(), t.justNow, locale) });
  el.title = formatFull(iso, locale);
  return el;
}

/** The text of `before` with what `after` changed marked: <del> and <ins>, each named for screen readers. */
function diffOf(before: string, after: string, w: HistoryWords): HTMLElement {
  const pre = document.createElement('p');
  pre.className = 'diff';
  for (const part of changes(before, after)) {
    if (part.kind === 'same') {
      pre.append(part.text);
      continue;
    }
    const mark = document.createElement(part.kind === 'removed' ? 'del' : 'ins');
    const said = document.createElement('span');
    said.className = 'visually-hidden';
    said.textContent = `[${part.kind === 'removed' ? w.removed : w.added}] `;
    mark.append(said, part.text);
    pre.append(mark);
  }
  return pre;
}

function item(
  version: MemoVersion,
  after: string,
  speech: Speech,
  w: HistoryWords,
  handlers: HistoryHandlers,
): HTMLLIElement {
  const li = document.createElement('li');
  li.className = 'version';
  const head = document.createElement('h3');
  head.textContent = fill(w.version, { n: version.n });
  const when = document.createElement('p');
  when.className = 'hint';
  if (version.at) when.append(time(version.at, w.written, speech), ' · ');
  when.append(time(version.replacedAt, w.replaced, speech));
  const label = document.createElement('p');
  label.className = 'hint';
  label.textContent = w.changes;
  const actions = document.createElement('div');
  actions.className = 'row';
  actions.append(button(w.restore, fill(w.restoreLabel, { n: version.n }), () => handlers.restore(version), 'quiet'));
  li.append(head, when, label, diffOf(version.text, after, w), actions);
  return li;
}

/** Fills `body` with a memo's history: the note, each version (or that there is none), the buttons. */
export function renderHistory(
  body: HTMLElement,
  history: MemoHistory,
  speech: Speech,
  handlers: HistoryHandlers,
): void {
  const w = HISTORY_WORDS[speech.language];
  const title = document.createElement('h2');
  title.id = 'history-title';
  title.textContent = w.title;
  const note = document.createElement('p');
  note.className = 'hint';
  note.textContent = fill(w.note, { keep: history.keep });
  const parts: HTMLElement[] = [title, note];
  const { versions } = history;
  if (versions.length === 0) {
    const none = document.createElement('p');
    none.textContent = w.none;
    parts.push(none);
  } else {
    const list = document.createElement('ol');
    list.className = 'versions';
    list.setAttribute('aria-labelledby', title.id);
    // Each version against the text that replaced it: the next newer version, or the memo now.
    list.append(...versions.map((v, i) => item(v, versions[i - 1]?.text ?? history.memo.text, speech, w, handlers)));
    parts.push(list);
  }
  const row = document.createElement('div');
  row.className = 'row';
  if (versions.length > 0) row.append(button(w.forget, w.forget, () => handlers.forget(), 'quiet danger'));
  row.append(button(w.close, w.close, () => handlers.close()));
  parts.push(row);
  body.replaceChildren(...parts);
}
