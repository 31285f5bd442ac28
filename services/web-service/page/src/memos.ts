/**
 * The memos controller: the list and its pages, search over every memo, editing, deleting with
 * an undo, pins, task boxes, and the use of the quotas. It owns what the list shows (each item's
 * memo, the next page's cursor, a delete waiting for its undo); what it needs of the rest of the
 * page comes in as `MemosPage`.
 */
import { RequestFailed, api, type Memo, type Page } from './api.js';
import { ui } from './dom.js';
import { USAGE_SHOWN, bytesOf, fill, formatBytes, matches, usageShare } from './format.js';
import { toggleTask } from './markdown.js';
import { openEditor } from './memo-editor.js';
import { markShared, renderMemo, renderTime, type MemoHandlers } from './memo-view.js';
import type { Messages } from './messages.js';
import type { PageState } from './state.js';

/** What the memo list needs of the page. */
export interface MemosPage {
  state: PageState;
  messages: Messages;
  failed(err: unknown): void;
  /** The tag the list is filtered by (tags.ts), or null for every memo. */
  tag(): string | null;
  /** The first page of every memo is on the screen: what waits offline goes on top. */
  firstPageShown(): void;
  /** A memo came, changed or went (so may have its tags). */
  changed(): void;
  /** The server's limits changed (the memo length the counter measures against, the trash's days). */
  limitsChanged(): void;
  /** A delete went through: the memo is in the trash (or gone, without one). */
  deleted(): void;
  /** A memo went to the archive. */
  archived(): void;
  /** Opens a memo's history (from the button `opener`). */
  history(memo: Memo, opener: HTMLElement): void;
  /** Opens a memo's share link (from the button `opener`). */
  share(memo: Memo, opener: HTMLElement): void;
}

/** The undo window of a delete. */
const UNDO_MS = 5_000;
/** A search loads the rest of the memos, up to this many (past it, "more" goes on by hand). */
const SEARCH_LOAD_MAX = 5_000;

interface PendingDelete {
  memo: Memo;
  li: HTMLLIElement;
  before: Element | null;
  timer: ReturnType<typeof setTimeout>;
}

export class Memos {
  /** The memo each list item shows. */
  readonly #shown = new WeakMap<HTMLLIElement, Memo>();
  /** The memos that have a share link: their items carry 🔗 공유 중. */
  #shared: ReadonlySet<string> = new Set();
  /** Saves of task toggles per memo, one after another, so two quick clicks both land. */
  readonly #taskSaves = new WeakMap<HTMLLIElement, Promise<void>>();
  #nextCursor: string | null = null;
  #loadingMore = false;
  #searching: Promise<void> | null = null;
  #pendingDelete: PendingDelete | null = null;

  /** What a memo's buttons and task boxes do (memo-view.ts hands them here). */
  readonly #handlers: MemoHandlers = {
    pin: (memo, pin) => void this.#togglePin(memo, pin),
    edit: (li) => this.#edit(li),
    remove: (li) => this.#remove(li),
    archive: (li) => void this.#archive(li),
    task: (li, offset, checked, box) => this.#toggleTask(li, offset, checked, box),
    history: (memo, opener) => this.#page.history(memo, opener),
    share: (memo, opener) => this.#page.share(memo, opener),
  };
  /** The handlers of the buttons the server's limits allow (no history kept, sharing off). */
  #allowed: MemoHandlers = { ...this.#handlers, history: undefined, share: undefined };

  readonly #page: MemosPage;

  constructor(page: MemosPage) {
    this.#page = page;
  }

  /** Wires the search box, "more" (by hand and as it scrolls into view) and the clock. */
  start(): void {
    ui.search.addEventListener('input', () => {
      this.#applySearch();
      void this.#searchEverything();
    });
    ui.more.addEventListener('click', () => void this.#loadMore());
    if ('IntersectionObserver' in window) {
      new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) void this.#loadMore();
      }).observe(ui.more);
    }
    // A delete still waiting for its undo window is sent when the page goes away.
    addEventListener('pagehide', () => this.commitDelete(true));
    setInterval(() => this.#refreshTimes(), 30_000);
  }

  /** A memo's list item, remembered with its memo, hidden when the search says so. */
  render(memo: Memo, pending: false | 'saving' | 'queued' = false): HTMLLIElement {
    const { state } = this.#page;
    const li = renderMemo(memo, pending, state.speech(), this.#allowed, this.#shared.has(memo.id));
    this.#shown.set(li, memo);
    li.hidden = !matches(memo.text, ui.search.value);
    return li;
  }

  /** A page of memos (the first when `cursor` is null), filtered by the tag shown. */
  async load(cursor: string | null, limit?: number): Promise<void> {
    const { state } = this.#page;
    const tag = this.#page.tag();
    const params = new URLSearchParams();
    if (tag !== null) params.set('tag', tag);
    if (cursor) params.set('cursor', cursor);
    if (limit) params.set('limit', String(limit));
    const page = await api<Page>(params.size > 0 ? `memo?${params.toString()}` : 'memo');
    // The server's limits first (the items' buttons follow them), not ones written here again:
    // the counter says what the server allows.
    const limits = page.limits;
    const versions = limits?.historyVersions ?? 0;
    const sharing = limits?.sharing ?? false;
    if (
      limits &&
      (limits.memoLength !== state.maxLength ||
        limits.trashDays !== state.trashDays ||
        versions !== state.historyVersions ||
        sharing !== state.sharing)
    ) {
      state.maxLength = limits.memoLength;
      state.trashDays = limits.trashDays;
      state.historyVersions = versions;
      state.sharing = sharing;
      this.#allowed = {
        ...this.#handlers,
        history: versions > 0 ? this.#handlers.history : undefined,
        share: sharing ? this.#handlers.share : undefined,
      };
      this.#page.limitsChanged();
    }
    if (!cursor) ui.list.replaceChildren();
    ui.list.append(...page.memos.map((memo) => this.render(memo)));
    if (!cursor && tag === null) this.#page.firstPageShown();
    this.#nextCursor = page.nextCursor;
    ui.more.hidden = this.#nextCursor === null;
    state.usage = page.usage;
    this.#showUsage();
    this.updateEmpty();
  }

  /** A memo changed elsewhere (a version of its history restored): its item shows it now. */
  replaced(memo: Memo): void {
    for (const li of ui.list.querySelectorAll<HTMLLIElement>(':scope > li')) {
      const was = this.#shown.get(li);
      if (was?.id !== memo.id) continue;
      li.replaceWith(this.render({ ...memo, pinnedAt: was.pinnedAt }));
    }
    this.#page.changed();
  }

  /** Which memos have a share link now (share.ts's list): the items' marks follow. */
  markShared(ids: Iterable<string>): void {
    this.#shared = new Set(ids);
    const speech = this.#page.state.speech();
    for (const li of ui.list.querySelectorAll<HTMLLIElement>(':scope > li')) {
      const memo = this.#shown.get(li);
      if (memo) markShared(li, this.#shared.has(memo.id), speech);
    }
  }

  /** Nothing of anyone is shown (logged out). */
  clear(): void {
    ui.list.replaceChildren();
    this.#nextCursor = null;
    this.#shared = new Set();
  }

  /** Shows everything in the page's language now (items being edited or saved keep theirs). */
  relabel(): void {
    for (const li of ui.list.querySelectorAll<HTMLLIElement>(':scope > li:not(.pending)')) {
      const memo = this.#shown.get(li);
      if (memo && !li.querySelector('form')) li.replaceWith(this.render(memo));
    }
    this.#showUsage();
    this.#applySearch();
  }

  /** Keeps the usage up to date after a change this page made: `memos` and `bytes` added. */
  changeUsage(memos: number, bytes: number): void {
    const { state } = this.#page;
    if (state.usage === null) return;
    state.usage = {
      memos: { ...state.usage.memos, used: Math.max(0, state.usage.memos.used + memos) },
      bytes: { ...state.usage.bytes, used: Math.max(0, state.usage.bytes.used + bytes) },
    };
    this.#showUsage();
    this.#page.changed();
  }

  /** "No memos yet" and "no match", as the list stands. */
  updateEmpty(): void {
    const items = [...ui.list.children] as HTMLLIElement[];
    ui.empty.hidden = items.length > 0 || this.#nextCursor !== null;
    // "No match" only once every memo has been looked at (a search loads the rest first).
    ui.noMatch.hidden = items.length === 0 || items.some((li) => !li.hidden) || this.#searching !== null;
  }

  /** Sends the delete that waited for its undo window. */
  commitDelete(keepalive = false): void {
    const pending = this.#pendingDelete;
    if (!pending) return;
    this.#pendingDelete = null;
    clearTimeout(pending.timer);
    if (!ui.undo.hidden) this.#page.messages.say('');
    api<undefined>(`memo/${encodeURIComponent(pending.memo.id)}`, { method: 'DELETE', keepalive }).then(
      () => {
        // In the trash, a memo still counts in the usage until it leaves it.
        if (this.#page.state.trashDays === 0) this.changeUsage(-1, -bytesOf(pending.memo.text));
        this.#page.deleted();
      },
      (err: unknown) => {
        if (err instanceof RequestFailed && err.status === 404) return;
        // Not deleted after all: show it again where it was.
        this.#putBack(pending);
        this.#page.failed(err);
      },
    );
  }

  /** Mentions how much of the quotas is in use once it is most of them. */
  #showUsage(): void {
    const { usage, t, locale } = this.#page.state;
    ui.usage.hidden = usage === null || usageShare(usage.memos, usage.bytes) < USAGE_SHOWN;
    if (usage === null || ui.usage.hidden) return;
    ui.usage.textContent = fill(t.usage, {
      used: usage.memos.used.toLocaleString(locale),
      limit: usage.memos.limit.toLocaleString(locale),
      bytes: formatBytes(usage.bytes.used, locale),
      bytesLimit: formatBytes(usage.bytes.limit, locale),
    });
  }

  /** The next page; false when it could not be loaded (the page says why). */
  async #loadMore(limit?: number): Promise<boolean> {
    if (this.#loadingMore || this.#nextCursor === null) return true;
    this.#loadingMore = true;
    ui.more.setAttribute('aria-busy', 'true');
    try {
      await this.load(this.#nextCursor, limit);
      return true;
    } catch (err) {
      this.#page.failed(err);
      return false;
    } finally {
      this.#loadingMore = false;
      ui.more.removeAttribute('aria-busy');
    }
  }

  #applySearch(): void {
    const query = ui.search.value;
    let count = 0;
    let visible = 0;
    for (const li of ui.list.querySelectorAll<HTMLLIElement>(':scope > li')) {
      const memo = this.#shown.get(li);
      if (!memo) continue;
      count += 1;
      li.hidden = !matches(memo.text, query);
      if (!li.hidden) visible += 1;
    }
    this.updateEmpty();
    if (query.trim() !== '')
      this.#page.messages.announce(fill(this.#page.state.t.searchCount, { count, shown: visible }));
  }

  /**
   * A search covers every memo, not only the pages already on screen: while there is a query,
   * the rest load in pages of 100 (up to SEARCH_LOAD_MAX memos).
   */
  #searchEverything(): Promise<void> {
    this.#searching ??= (async () => {
      while (ui.search.value.trim() !== '' && this.#nextCursor !== null && ui.list.children.length < SEARCH_LOAD_MAX) {
        if (this.#loadingMore) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        if (!(await this.#loadMore(100))) break;
        this.#applySearch();
      }
    })().finally(() => {
      this.#searching = null;
    });
    return this.#searching;
  }

  #refreshTimes(): void {
    for (const li of ui.list.querySelectorAll<HTMLLIElement>(':scope > li:not(.pending)')) {
      const memo = this.#shown.get(li);
      const time = li.querySelector('time');
      if (memo && time) time.replaceWith(renderTime(memo, this.#page.state.speech()));
    }
  }

  /** A memo that is not there any more (deleted elsewhere) leaves the list. */
  #gone(li: HTMLLIElement, err: unknown): void {
    if (err instanceof RequestFailed && err.status === 404) {
      li.remove();
      this.updateEmpty();
    }
  }

  /** Ticks or unticks a task: shown at once, saved after the memo's earlier saves; undone if refused. */
  #toggleTask(li: HTMLLIElement, offset: number, checked: boolean, box: HTMLInputElement): void {
    const current = this.#shown.get(li);
    if (!current) return;
    const next = toggleTask(current.text, offset, checked);
    this.#shown.set(li, { ...current, text: next });
    const save = async (): Promise<void> => {
      try {
        const updated = await api<Memo>(`memo/${encodeURIComponent(current.id)}`, {
          method: 'PUT',
          body: JSON.stringify({ text: this.#shown.get(li)?.text ?? next }),
        });
        const now = this.#shown.get(li);
        if (now && now.text === updated.text) this.#shown.set(li, { ...updated, pinnedAt: now.pinnedAt });
        this.#page.messages.announce(this.#page.state.t.taskSaved);
      } catch (err) {
        const now = this.#shown.get(li);
        if (now) this.#shown.set(li, { ...now, text: toggleTask(now.text, offset, !checked) });
        box.checked = !checked;
        this.#gone(li, err);
        this.#page.failed(err);
      }
    };
    this.#taskSaves.set(li, (this.#taskSaves.get(li) ?? Promise.resolve()).then(save));
  }

  /** Pins or unpins, then shows the first page again (pinned memos lead it), keeping focus on the memo. */
  async #togglePin(memo: Memo, pin: boolean): Promise<void> {
    const { t } = this.#page.state;
    try {
      await api<undefined>(`memo/${encodeURIComponent(memo.id)}/pin`, { method: pin ? 'PUT' : 'DELETE' });
      await this.load(null);
      this.#page.messages.say(pin ? t.pinDone : t.unpinDone);
      ui.list.querySelector<HTMLLIElement>(`li[data-id="${CSS.escape(memo.id)}"]`)?.focus();
    } catch (err) {
      this.#page.failed(err);
    }
  }

  /** The memo's item becomes its edit form (memo-editor.ts) until it is saved or cancelled. */
  #edit(li: HTMLLIElement): void {
    const memo = this.#shown.get(li);
    if (!memo) return;
    const close = (next: Memo): void => {
      const fresh = this.render(next);
      li.replaceWith(fresh);
      // Back to the memo's edit button, where the person was.
      const label = this.#page.state.t.editLabel;
      fresh.querySelector<HTMLButtonElement>(`.memo-actions button[aria-label="${label}"]`)?.focus();
    };
    openEditor(li, memo.text, this.#page.state.speech(), {
      cancel: () => close(memo),
      save: async (text) => {
        try {
          const updated = await api<Memo>(`memo/${encodeURIComponent(memo.id)}`, {
            method: 'PUT',
            body: JSON.stringify({ text }),
          });
          close(updated);
          this.changeUsage(0, bytesOf(updated.text) - bytesOf(memo.text));
          this.#page.messages.say(this.#page.state.t.updated);
          return true;
        } catch (err) {
          this.#gone(li, err);
          this.#page.failed(err);
          return false;
        }
      },
    });
  }

  /** Deleting hides the memo at once; the request goes after a few seconds unless undone. */
  #remove(li: HTMLLIElement): void {
    const memo = this.#shown.get(li);
    if (!memo) return;
    const { messages, state } = this.#page;
    this.commitDelete();
    const before = li.nextElementSibling;
    const focusNext = (before ?? li.previousElementSibling) as HTMLElement | null;
    li.remove();
    this.updateEmpty();
    this.#pendingDelete = { memo, li, before, timer: setTimeout(() => this.commitDelete(), UNDO_MS) };
    messages.say(state.trashDays > 0 ? state.t.removedToTrash : state.t.removed, {
      undo: () => {
        const pending = this.#pendingDelete;
        if (!pending) return;
        this.#pendingDelete = null;
        clearTimeout(pending.timer);
        this.#putBack(pending);
        messages.say(state.t.restored);
        pending.li.focus();
      },
    });
    ui.undo.focus();
    messages.afterwards(UNDO_MS, () => {
      if (document.activeElement === ui.undo) (focusNext ?? ui.text).focus();
    });
  }

  /** 보관: the memo leaves the list (the archive keeps it, counted as before), focus goes on. */
  async #archive(li: HTMLLIElement): Promise<void> {
    const memo = this.#shown.get(li);
    if (!memo) return;
    const { messages, state } = this.#page;
    try {
      await api<undefined>(`memo/${encodeURIComponent(memo.id)}/archive`, { method: 'POST' });
    } catch (err) {
      this.#gone(li, err);
      this.#page.failed(err);
      return;
    }
    const next = (li.nextElementSibling ?? li.previousElementSibling) as HTMLElement | null;
    li.remove();
    this.updateEmpty();
    messages.say(state.t.archived);
    (next ?? ui.text).focus();
    this.#page.changed();
    this.#page.archived();
  }

  /** A memo whose delete was undone or refused, back where it was. */
  #putBack({ li, before }: PendingDelete): void {
    ui.list.insertBefore(li, before?.parentNode === ui.list ? before : null);
    this.updateEmpty();
  }
}
