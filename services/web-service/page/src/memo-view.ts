/**
 * A memo as the page shows it: its text as Markdown, folded when long, its time, its pin, whether
 * it has a share link, and its buttons. A view: it builds elements and hands what the person does
 * to the handlers it is given; it never calls a controller and keeps no state.
 */
import type { Memo } from './api.js';
import { button } from './dom.js';
import { fill, formatFull, formatWhen, lengthOf } from './format.js';
import { renderMarkdown, taskText } from './markdown.js';
import type { Speech } from './strings.js';

/** What a memo's buttons and task boxes do: the controllers' business. */
export interface MemoHandlers {
  pin(memo: Memo, pin: boolean): void;
  edit(li: HTMLLIElement): void;
  remove(li: HTMLLIElement): void;
  archive(li: HTMLLIElement): void;
  /** The memo's earlier versions (absent: the server keeps none); `opener` is the button. */
  history?: (memo: Memo, opener: HTMLElement) => void;
  /** The memo's share link (absent: sharing is off); `opener` is the button. */
  share?: (memo: Memo, opener: HTMLElement) => void;
  /** A task box at `offset` in the text was ticked or unticked. */
  task(li: HTMLLIElement, offset: number, checked: boolean, box: HTMLInputElement): void;
}

/** Memos longer than this (code points or lines) fold, with a "더 보기" button to open them. */
const FOLD_CHARS = 600;
const FOLD_LINES = 12;
let foldSeq = 0;

/** When a memo was written (and whether edited since), relative and in full on hover. */
export function renderTime(memo: Memo, { t, locale }: Speech): HTMLTimeElement {
  const time = document.createElement('time');
  const when = memo.updatedAt ?? memo.createdAt;
  if (memo.createdAt) {
    time.dateTime = memo.createdAt;
    time.textContent = formatWhen(memo.createdAt, new Date(), t.justNow, locale);
    time.title = formatFull(memo.createdAt, locale);
  } else {
    time.textContent = t.older;
  }
  if (memo.updatedAt) {
    time.textContent += ` · ${t.edited}`;
    if (when) time.title = `${t.edited}: ${formatFull(when, locale)}`;
  }
  return time;
}

/**
 * The memo's text as Markdown (sanitized: markdown.ts). Task boxes tick through `onTask` when it
 * is given (with the task's place in the text); without it they are shown, not clickable.
 */
export function renderText(
  text: string,
  { t }: Speech,
  onTask?: (offset: number, checked: boolean, box: HTMLInputElement) => void,
): HTMLDivElement {
  const div = document.createElement('div');
  div.className = 'memo-text';
  const { fragment, tasks } = renderMarkdown(text);
  div.append(fragment);
  for (const box of div.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')) {
    const offset = tasks?.[Number(box.dataset.task)];
    box.removeAttribute('data-task');
    box.setAttribute('aria-label', fill(t.taskLabel, { text: taskText(box) }));
    if (onTask === undefined || offset === undefined) {
      box.disabled = true;
      continue;
    }
    box.addEventListener('change', () => onTask(offset, box.checked, box));
  }
  return div;
}

/** A long memo shows its start and a button that opens (and closes) the rest. */
function foldable(text: HTMLDivElement, source: string, { t }: Speech): HTMLElement[] {
  if (lengthOf(source) <= FOLD_CHARS && source.split('\n').length <= FOLD_LINES) return [text];
  foldSeq += 1;
  text.id = `memo-text-${String(foldSeq)}`;
  text.classList.add('folded');
  const toggle = document.createElement('button');
  toggle.type = 'button';
  toggle.className = 'fold quiet';
  toggle.textContent = t.showMore;
  toggle.setAttribute('aria-expanded', 'false');
  toggle.setAttribute('aria-controls', text.id);
  toggle.addEventListener('click', () => {
    const open = !text.classList.toggle('folded');
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? t.showLess : t.showMore;
  });
  return [text, toggle];
}

/**
 * Shows or takes away an item's 🔗 공유 중 mark, in place: the item stays, and so does the focus
 * on its buttons (the share dialog gives it back to the one that opened it).
 */
export function markShared(li: HTMLLIElement, shared: boolean, { t }: Speech): void {
  const time = li.querySelector(':scope > .memo-meta > time');
  const mark = li.querySelector(':scope > .memo-meta > .share-mark');
  if (!shared || !time) {
    mark?.remove();
    return;
  }
  if (mark) return;
  const made = document.createElement('span');
  made.className = 'share-mark';
  made.textContent = t.sharedMark;
  time.before(made);
}

/**
 * A memo; `pending` shows it waiting, with what it waits for (saving, or in the outbox);
 * `shared`: it has a share link.
 */
export function renderMemo(
  memo: Memo,
  pending: false | 'saving' | 'queued',
  speech: Speech,
  on: MemoHandlers,
  shared = false,
): HTMLLIElement {
  const { t } = speech;
  const li = document.createElement('li');
  li.dataset.id = memo.id;
  li.tabIndex = -1;
  const meta = document.createElement('div');
  meta.className = 'memo-meta';
  const actions = document.createElement('div');
  actions.className = 'memo-actions';
  if (pending) {
    li.classList.add('pending');
    li.setAttribute('aria-busy', 'true');
    const saving = document.createElement('span');
    saving.className = 'pending-state';
    saving.textContent = pending === 'queued' ? t.queued : t.saving;
    if (pending === 'queued') li.classList.add('queued');
    meta.append(saving);
  } else {
    meta.append(renderTime(memo, speech));
    if (memo.pinnedAt) {
      li.classList.add('pinned');
      const mark = document.createElement('span');
      mark.className = 'pin-mark';
      mark.textContent = t.pinned;
      meta.prepend(mark);
    }
    actions.append(
      memo.pinnedAt
        ? button(t.unpin, t.unpinLabel, () => on.pin(memo, false))
        : button(t.pin, t.pinLabel, () => on.pin(memo, true)),
      button(t.edit, t.editLabel, () => on.edit(li)),
    );
    // Only an edited memo has earlier versions.
    const { history } = on;
    if (history && memo.updatedAt) {
      const open = button(t.history, t.historyLabel, () => history(memo, open));
      actions.append(open);
    }
    const { share } = on;
    if (share) {
      const open = button(t.share, t.shareLabel, () => share(memo, open));
      actions.append(open);
    }
    actions.append(
      button(t.toArchive, t.toArchiveLabel, () => on.archive(li)),
      button(t.remove, t.removeLabel, () => on.remove(li), 'danger'),
    );
  }
  meta.append(actions);
  const onTask = pending
    ? undefined
    : (offset: number, checked: boolean, box: HTMLInputElement): void => {
        on.task(li, offset, checked, box);
      };
  li.append(...foldable(renderText(memo.text, speech, onTask), memo.text, speech), meta);
  if (shared) markShared(li, true, speech);
  return li;
}
