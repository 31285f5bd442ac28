/**
 * Editing a memo in place, as a view: the memo's item becomes a form (its text, 취소, 저장);
 * Escape cancels, Ctrl/⌘+Enter saves. What saving and cancelling do is the controller's,
 * handed in as handlers.
 */
import { grow, onSend } from './dom.js';
import type { Speech } from './strings.js';

export interface EditorHandlers {
  /** Stores `text`; false when it was not stored (the form stays, to try again). */
  save(text: string): Promise<boolean>;
  /** Leaves the form as the memo was. */
  cancel(): void;
}

/** Turns `li` into the edit form for `text`, focused at its end. */
export function openEditor(li: HTMLLIElement, text: string, { t }: Speech, on: EditorHandlers): void {
  const form = document.createElement('form');
  form.className = 'edit';
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('aria-label', t.editArea);
  const row = document.createElement('div');
  row.className = 'row';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.textContent = t.cancel;
  const save = document.createElement('button');
  save.type = 'submit';
  save.className = 'primary';
  save.textContent = t.save;
  row.append(cancel, save);
  form.append(area, row);
  li.replaceChildren(form);
  grow(area);
  area.addEventListener('input', () => grow(area));
  area.focus();
  area.setSelectionRange(area.value.length, area.value.length);

  const submit = async (): Promise<void> => {
    if (area.value === text) return on.cancel();
    save.disabled = true;
    if (!(await on.save(area.value))) save.disabled = false;
  };
  cancel.addEventListener('click', () => on.cancel());
  area.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') on.cancel();
  });
  onSend(form, area, () => void submit());
}
