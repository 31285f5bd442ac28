/**
 * The status region as a view: a visible message (announced politely) with an undo or a
 * "log in again" when one helps, words for screen readers only, and what a refusal means in
 * the person's language. It is handed what a button does; it calls no controller.
 */
import { RequestFailed } from './api.js';
import { ui } from './dom.js';
import { fill, formatBytes } from './format.js';
import type { Speech } from './strings.js';

export interface SayOptions {
  /** Shows 되돌리기, which does this. */
  undo?: () => void;
  /** Shows the link to log in again. */
  relogin?: boolean;
}

export class Messages {
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** A visible message in the status region; '' clears it. */
  say(message: string, options: SayOptions = {}): void {
    clearTimeout(this.#timer);
    ui.status.textContent = message;
    ui.undo.hidden = options.undo === undefined;
    ui.undo.onclick = options.undo ?? null;
    ui.relogin.hidden = options.relogin !== true;
  }

  /** What the status region shows now. */
  showing(): string {
    return ui.status.textContent;
  }

  /** Heard by screen readers, not shown. */
  announce(message: string): void {
    ui.announce.textContent = message;
  }

  /** Runs `then` after `ms`, unless another message is said first. */
  afterwards(ms: number, then: () => void): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(then, ms);
  }
}

/** The server's limits a refusal is told against. */
export interface LimitsShown {
  /** The memo length the server allows. */
  maxLength: number;
  /** Days the trash keeps a deleted memo (0: none): a full quota then counts the trash too. */
  trashDays: number;
  /** Earlier versions a memo keeps (0: none): the bytes then count the history too. */
  historyVersions: number;
}

/** What a failed request means, in words. */
export function messageFor(
  err: unknown,
  { t, locale }: Speech,
  { maxLength, trashDays, historyVersions }: LimitsShown,
): string {
  if (err instanceof RequestFailed) {
    if (err.code === 'quota_exceeded' && err.quota) {
      const { reached, memos, bytes } = err.quota;
      const said =
        reached === 'memos'
          ? fill(t.errors.quota_memos, { limit: memos.limit.toLocaleString(locale) })
          : fill(t.errors.quota_bytes, {
              left: formatBytes(bytes.remaining, locale),
              limit: formatBytes(bytes.limit, locale),
            });
      const why = [
        said,
        trashDays > 0 ? t.quotaTrash : '',
        reached === 'bytes' && historyVersions > 0 ? t.quotaHistory : '',
      ];
      return why.filter((part) => part !== '').join(' ');
    }
    if (err.status === 401) return t.errors.unauthorized;
    const text = (t.errors as Record<string, string | undefined>)[err.code];
    if (text) return fill(text, { max: maxLength.toLocaleString(locale) });
    if (err.status === 429) return t.errors.rate_limited;
    if (err.status >= 500) return t.errors.unavailable;
  }
  return t.errors.generic;
}
