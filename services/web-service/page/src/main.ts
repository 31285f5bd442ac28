/**
 * The memo page. Every URL is relative to the page, so the site also works under a sub-path.
 * Memo text is shown as Markdown through marked and DOMPurify (markdown.ts): never as raw HTML.
 */
import {
  USAGE_SHOWN,
  bytesOf,
  counterLevel,
  fill,
  formatBytes,
  lengthOf,
  localeFor,
  matches,
  pickLanguage,
  usageShare,
  type CounterLevel,
} from './format.js';
import { storage, ui } from './dom.js';
import { RequestFailed, api, whenAnsweredOffline, type Memo, type Page, type Person, type Usage } from './api.js';
import { Drafts } from './drafts.js';
import { Tags } from './tags.js';
import { Outbox, afterFailedSend, randomKey, type Outgoing } from './outbox-store.js';
import { toggleTask } from './markdown.js';
import {
  renderMemo as memoView,
  renderText as textView,
  renderTime as timeView,
  type MemoHandlers,
  type Speech,
} from './memo-view.js';
import { STRINGS, type ErrorCode, type Language, type Strings } from './strings.js';

/** Characters a memo may hold: the server says so with every page (limits.memoLength). */
let maxLength = 10_000;
const UNDO_MS = 5_000;
const LANGUAGE_KEY = 'memo:lang';
/** Set once the page has asked a person who declined to share their name: it asks only once. */
const NAME_ASKED_KEY = 'memo:name-asked';

let language: Language = pickLanguage(storage.get(LANGUAGE_KEY), navigator.languages);
let t: Strings = STRINGS[language];
let locale = localeFor(language, navigator.languages);
let userName = '';
let nextCursor: string | null = null;
let loadingMore = false;
let lastLevel: CounterLevel = 'ok';
let pendingSeq = 0;
/** The person's use of their quotas, as the last page said and kept up since. */
let usage: Usage | null = null;
/** Whether an answer came from the service worker's copy (offline) since the last look. */
let servedOffline = false;
/** Who is logged in (their outbox is theirs only). */
let userId = '';
/** The tag the list is filtered by (`?tag=` in the address), or null for every memo. */
/** The memo each list item shows. */
const shown = new WeakMap<HTMLLIElement, Memo>();

// ---------------------------------------------------------------------------------------------
// Talking to the services

function messageFor(err: unknown): string {
  if (err instanceof RequestFailed) {
    if (err.code === 'quota_exceeded' && err.quota) {
      const { reached, memos, bytes } = err.quota;
      return reached === 'memos'
        ? fill(t.errors.quota_memos, { limit: memos.limit.toLocaleString(locale) })
        : fill(t.errors.quota_bytes, {
            left: formatBytes(bytes.remaining, locale),
            limit: formatBytes(bytes.limit, locale),
          });
    }
    if (err.status === 401) return t.errors.unauthorized;
    const text = (t.errors as Record<string, string | undefined>)[err.code];
    if (text) return fill(text, { max: maxLength.toLocaleString(locale) });
    if (err.status === 429) return t.errors.rate_limited;
    if (err.status >= 500) return t.errors.unavailable;
  }
  return t.errors.generic;
}

/** Mentions how much of the quotas is in use once it is most of them. */
function showUsage(): void {
  ui.usage.hidden = usage === null || usageShare(usage.memos, usage.bytes) < USAGE_SHOWN;
  if (usage === null || ui.usage.hidden) return;
  ui.usage.textContent = fill(t.usage, {
    used: usage.memos.used.toLocaleString(locale),
    limit: usage.memos.limit.toLocaleString(locale),
    bytes: formatBytes(usage.bytes.used, locale),
    bytesLimit: formatBytes(usage.bytes.limit, locale),
  });
}

/** Keeps the usage up to date after a change this page made: `memos` and `bytes` added. */
function changeUsage(memos: number, bytes: number): void {
  if (usage === null) return;
  usage = {
    memos: { ...usage.memos, used: Math.max(0, usage.memos.used + memos) },
    bytes: { ...usage.bytes, used: Math.max(0, usage.bytes.used + bytes) },
  };
  showUsage();
  // A memo came, changed or went: so may have its tags.
  void loadTags();
}

// ---------------------------------------------------------------------------------------------
// Messages

let noticeTimer: ReturnType<typeof setTimeout> | undefined;

/** A visible message in the status region (announced politely); '' clears it. */
function say(message: string, options: { undo?: () => void; relogin?: boolean } = {}): void {
  clearTimeout(noticeTimer);
  ui.status.textContent = message;
  ui.undo.hidden = options.undo === undefined;
  ui.undo.onclick = options.undo ?? null;
  ui.relogin.hidden = options.relogin !== true;
}

/** Heard by screen readers, not shown. */
function announce(message: string): void {
  ui.announce.textContent = message;
}

/** What a person was writing, kept on the device for them alone (drafts.ts). */
const drafts = new Drafts(storage);
const keepDraft = (text: string | null): void => drafts.keep(text);

/** Someone is logged in: theirs is the page now, and nothing of anyone else's stays (drafts.ts). */
function adoptUser(id: string): void {
  drafts.adopt(id);
  userId = id;
}

function sessionExpired(): void {
  // What was typed stays in the box and on this device; logging in again brings it back.
  keepDraft(ui.text.value);
  say(`${t.errors.unauthorized} ${ui.text.value.trim() === '' ? '' : t.draftKept}`.trim(), { relogin: true });
}

function handleFailure(err: unknown): void {
  if (err instanceof RequestFailed && err.status === 401) {
    if (ui.memoView.hidden) showLogin();
    else sessionExpired();
    return;
  }
  say(err instanceof RequestFailed && err.code === 'offline' ? t.errors.offline : messageFor(err));
}

// ---------------------------------------------------------------------------------------------
// Language

function applyLanguage(): void {
  document.documentElement.lang = language;
  document.title = t.title;
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const key = el.dataset.i18n as keyof Strings;
    const value = t[key];
    if (typeof value === 'string') el.textContent = value;
  }
  for (const el of document.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]')) {
    const value = t[el.dataset.i18nPlaceholder as keyof Strings];
    if (typeof value === 'string') el.placeholder = value;
  }
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n-label]')) {
    const value = t[el.dataset.i18nLabel as keyof Strings];
    if (typeof value === 'string') el.setAttribute('aria-label', value);
  }
  ui.language.textContent = t.switchLanguage;
  ui.language.lang = language === 'ko' ? 'en' : 'ko';
  ui.language.title = t.switchLanguageLabel;
  if (userName) ui.greeting.textContent = fill(t.greeting, { name: userName });
  // Memos being edited or saved keep their element (a save in flight replaces it when answered).
  for (const li of ui.list.querySelectorAll<HTMLLIElement>(':scope > li:not(.pending)')) {
    const memo = shown.get(li);
    if (memo && !li.querySelector('form')) li.replaceWith(renderMemo(memo));
  }
  updateCounter();
  updatePreview();
  showUsage();
  tags.showFilter();
  void loadTags();
  applySearch();
}

function switchLanguage(): void {
  language = language === 'ko' ? 'en' : 'ko';
  t = STRINGS[language];
  locale = localeFor(language, navigator.languages);
  storage.set(LANGUAGE_KEY, language);
  applyLanguage();
}

// ---------------------------------------------------------------------------------------------
// Views

function showOnly(view: HTMLElement | null): void {
  for (const v of [ui.loading, ui.loginView, ui.errorView, ui.memoView]) v.hidden = v !== view;
}

function showLogin(): void {
  ui.account.hidden = true;
  ui.transfer.hidden = true;
  ui.nameAsk.hidden = true;
  ui.deleteAccount.hidden = true;
  userName = '';
  ui.list.replaceChildren();
  showOnly(ui.loginView);
}

function showError(err: unknown, retry: () => void): void {
  ui.errorText.textContent =
    err instanceof RequestFailed && err.code === 'offline' ? t.errors.offline : messageFor(err);
  ui.retry.onclick = retry;
  showOnly(ui.errorView);
}

// ---------------------------------------------------------------------------------------------
// Memos

/** The words and the locale the views speak in now. */
const speech = (): Speech => ({ t, language, locale });

/** What a memo's buttons and task boxes do (memo-view.ts hands them here). */
const memoHandlers: MemoHandlers = {
  pin: (memo, pin) => void togglePin(memo, pin),
  edit: (li) => startEdit(li),
  remove: (li) => removeMemo(li),
  task: (li, offset, checked, box) => toggleTaskOf(li, offset, checked, box),
};

/** A memo's list item (memo-view.ts), remembered with its memo, hidden when the search says so. */
function renderMemo(memo: Memo, pending: false | 'saving' | 'queued' = false): HTMLLIElement {
  const li = memoView(memo, pending, speech(), memoHandlers);
  shown.set(li, memo);
  li.hidden = !matches(memo.text, ui.search.value);
  return li;
}

const renderTime = (memo: Memo): HTMLTimeElement => timeView(memo, speech());

/** Saves of task toggles per memo, one after another, so two quick clicks both land. */
const taskSaves = new WeakMap<HTMLLIElement, Promise<void>>();

/** Ticks or unticks a task: shown at once, saved after the memo's earlier saves; undone if refused. */
function toggleTaskOf(li: HTMLLIElement, offset: number, checked: boolean, box: HTMLInputElement): void {
  const current = shown.get(li);
  if (!current) return;
  const next = toggleTask(current.text, offset, checked);
  shown.set(li, { ...current, text: next });
  const save = async (): Promise<void> => {
    try {
      const updated = await api<Memo>(`memo/${encodeURIComponent(current.id)}`, {
        method: 'PUT',
        body: JSON.stringify({ text: shown.get(li)?.text ?? next }),
      });
      const now = shown.get(li);
      if (now && now.text === updated.text) shown.set(li, { ...updated, pinnedAt: now.pinnedAt });
      announce(t.taskSaved);
    } catch (err) {
      const now = shown.get(li);
      if (now) shown.set(li, { ...now, text: toggleTask(now.text, offset, !checked) });
      box.checked = !checked;
      if (err instanceof RequestFailed && err.status === 404) {
        li.remove();
        updateEmpty();
      }
      handleFailure(err);
    }
  };
  taskSaves.set(li, (taskSaves.get(li) ?? Promise.resolve()).then(save));
}

/** Pins or unpins, then shows the first page again (pinned memos lead it), keeping focus on the memo. */
async function togglePin(memo: Memo, pin: boolean): Promise<void> {
  try {
    await api<undefined>(`memo/${encodeURIComponent(memo.id)}/pin`, { method: pin ? 'PUT' : 'DELETE' });
    await loadMemos(null);
    say(pin ? t.pinDone : t.unpinDone);
    ui.list.querySelector<HTMLLIElement>(`li[data-id="${CSS.escape(memo.id)}"]`)?.focus();
  } catch (err) {
    handleFailure(err);
  }
}

function refreshTimes(): void {
  for (const li of ui.list.querySelectorAll<HTMLLIElement>(':scope > li:not(.pending)')) {
    const memo = shown.get(li);
    const time = li.querySelector('time');
    if (memo && time) time.replaceWith(renderTime(memo));
  }
}

function updateEmpty(): void {
  const items = [...ui.list.children] as HTMLLIElement[];
  ui.empty.hidden = items.length > 0 || nextCursor !== null;
  // "No match" only once every memo has been looked at (a search loads the rest first).
  ui.noMatch.hidden = items.length === 0 || items.some((li) => !li.hidden) || searching !== null;
}

function applySearch(): void {
  const query = ui.search.value;
  let count = 0;
  let visible = 0;
  for (const li of ui.list.querySelectorAll<HTMLLIElement>(':scope > li')) {
    const memo = shown.get(li);
    if (!memo) continue;
    count += 1;
    li.hidden = !matches(memo.text, query);
    if (!li.hidden) visible += 1;
  }
  updateEmpty();
  if (query.trim() !== '') announce(fill(t.searchCount, { count, shown: visible }));
}

function startEdit(li: HTMLLIElement): void {
  const memo = shown.get(li);
  if (!memo) return;
  const form = document.createElement('form');
  form.className = 'edit';
  const area = document.createElement('textarea');
  area.value = memo.text;
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

  const close = (next: Memo): void => {
    const fresh = renderMemo(next);
    li.replaceWith(fresh);
    // Back to the memo's edit button, where the person was.
    fresh.querySelector<HTMLButtonElement>(`.memo-actions button[aria-label="${t.editLabel}"]`)?.focus();
  };
  const submit = async (): Promise<void> => {
    if (area.value === memo.text) return close(memo);
    save.disabled = true;
    try {
      const updated = await api<Memo>(`memo/${encodeURIComponent(memo.id)}`, {
        method: 'PUT',
        body: JSON.stringify({ text: area.value }),
      });
      close(updated);
      changeUsage(0, bytesOf(updated.text) - bytesOf(memo.text));
      say(t.updated);
    } catch (err) {
      save.disabled = false;
      if (err instanceof RequestFailed && err.status === 404) {
        li.remove();
        updateEmpty();
      }
      handleFailure(err);
    }
  };
  cancel.addEventListener('click', () => close(memo));
  area.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close(memo);
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void submit();
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
}

interface PendingDelete {
  memo: Memo;
  li: HTMLLIElement;
  before: Element | null;
  timer: ReturnType<typeof setTimeout>;
}
let pendingDelete: PendingDelete | null = null;

/** Sends the delete that waited for its undo window. */
function commitDelete(keepalive = false): void {
  const pending = pendingDelete;
  if (!pending) return;
  pendingDelete = null;
  clearTimeout(pending.timer);
  if (!ui.undo.hidden) say('');
  api<undefined>(`memo/${encodeURIComponent(pending.memo.id)}`, { method: 'DELETE', keepalive }).then(
    () => changeUsage(-1, -bytesOf(pending.memo.text)),
    (err: unknown) => {
      if (err instanceof RequestFailed && err.status === 404) return;
      // Not deleted after all: show it again where it was.
      ui.list.insertBefore(pending.li, pending.before?.parentNode === ui.list ? pending.before : null);
      updateEmpty();
      handleFailure(err);
    },
  );
}

/** Deleting hides the memo at once; the request goes after a few seconds unless undone. */
function removeMemo(li: HTMLLIElement): void {
  const memo = shown.get(li);
  if (!memo) return;
  commitDelete();
  const before = li.nextElementSibling;
  const focusNext = (before ?? li.previousElementSibling) as HTMLElement | null;
  li.remove();
  updateEmpty();
  pendingDelete = { memo, li, before, timer: setTimeout(() => commitDelete(), UNDO_MS) };
  say(t.removed, {
    undo: () => {
      const pending = pendingDelete;
      if (!pending) return;
      pendingDelete = null;
      clearTimeout(pending.timer);
      ui.list.insertBefore(pending.li, pending.before?.parentNode === ui.list ? pending.before : null);
      updateEmpty();
      say(t.restored);
      pending.li.focus();
    },
  });
  ui.undo.focus();
  noticeTimer = setTimeout(() => {
    if (document.activeElement === ui.undo) (focusNext ?? ui.text).focus();
  }, UNDO_MS);
}

async function loadMemos(cursor: string | null, limit?: number): Promise<void> {
  const params = new URLSearchParams();
  if (tags.active !== null) params.set('tag', tags.active);
  if (cursor) params.set('cursor', cursor);
  if (limit) params.set('limit', String(limit));
  const query = params.size > 0 ? `memo?${params.toString()}` : 'memo';
  const page = await api<Page>(query);
  if (!cursor) ui.list.replaceChildren();
  ui.list.append(...page.memos.map((memo) => renderMemo(memo)));
  if (!cursor && tags.active === null) showOutbox();
  nextCursor = page.nextCursor;
  ui.more.hidden = nextCursor === null;
  usage = page.usage;
  showUsage();
  // The server's limit, not one written here again: the counter says what the server allows.
  if (page.limits && page.limits.memoLength !== maxLength) {
    maxLength = page.limits.memoLength;
    updateCounter();
  }
  updateEmpty();
}

/** The next page; false when it could not be loaded (the page says why). */
async function loadMore(limit?: number): Promise<boolean> {
  if (loadingMore || nextCursor === null) return true;
  loadingMore = true;
  ui.more.setAttribute('aria-busy', 'true');
  try {
    await loadMemos(nextCursor, limit);
    return true;
  } catch (err) {
    handleFailure(err);
    return false;
  } finally {
    loadingMore = false;
    ui.more.removeAttribute('aria-busy');
  }
}

const SEARCH_LOAD_MAX = 5_000;
let searching: Promise<void> | null = null;

/**
 * A search covers every memo, not only the pages already on screen: while there is a query,
 * the rest load in pages of 100 (up to 5,000 memos; past that, "more" goes on by hand).
 */
function searchEverything(): Promise<void> {
  searching ??= (async () => {
    while (ui.search.value.trim() !== '' && nextCursor !== null && ui.list.children.length < SEARCH_LOAD_MAX) {
      if (loadingMore) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (!(await loadMore(100))) break;
      applySearch();
    }
  })().finally(() => {
    searching = null;
  });
  return searching;
}

// ---------------------------------------------------------------------------------------------
// Tags (tags.ts)

const tags = new Tags({
  speech,
  reloadMemos: () => loadMemos(null),
  say: (message) => say(message),
  failed: (err) => handleFailure(err),
  showing: () => !ui.memoView.hidden,
});
const loadTags = (): Promise<void> => tags.load();

// ---------------------------------------------------------------------------------------------
// Writing

/** The textarea grows with its text, up to a cap set in CSS. */
function grow(area: HTMLTextAreaElement): void {
  area.style.height = 'auto';
  area.style.height = `${String(area.scrollHeight + 2)}px`;
}

function updateCounter(): void {
  const length = lengthOf(ui.text.value);
  const level = counterLevel(length, maxLength);
  const max = maxLength.toLocaleString(locale);
  ui.counter.textContent = fill(t.counter, { count: length.toLocaleString(locale), max });
  ui.counter.dataset.level = level;
  if (level !== lastLevel) {
    if (level === 'near') announce(fill(t.counterNear, { left: (maxLength - length).toLocaleString(locale) }));
    if (level === 'over') announce(fill(t.counterOver, { over: (length - maxLength).toLocaleString(locale) }));
    lastLevel = level;
  }
}

/** The live preview, while it is on: what the memo will look like (tasks not clickable yet). */
function updatePreview(): void {
  ui.preview.dataset.empty = t.previewEmpty;
  if (ui.preview.hidden) return;
  ui.preview.replaceChildren(...(ui.text.value.trim() === '' ? [] : textView(ui.text.value, speech()).childNodes));
}

function togglePreview(): void {
  ui.preview.hidden = !ui.preview.hidden;
  ui.previewToggle.setAttribute('aria-pressed', String(!ui.preview.hidden));
  updatePreview();
}

function onInput(): void {
  grow(ui.text);
  updateCounter();
  updatePreview();
  keepDraft(ui.text.value);
}

/** A memo that was not stored goes back into the box, before anything typed there meanwhile. */
function giveBack(text: string): void {
  ui.text.value = ui.text.value.trim() === '' ? text : `${text}\n\n${ui.text.value}`;
  onInput();
}

/** The memo shows at once; if the save fails it goes away again and the text comes back. */
async function addMemo(): Promise<void> {
  const text = ui.text.value;
  if (text.trim() === '') {
    say(t.errors.text_empty);
    ui.text.focus();
    return;
  }
  if (lengthOf(text) > maxLength) {
    say(fill(t.errors.text_too_long, { max: maxLength.toLocaleString(locale) }));
    ui.text.focus();
    return;
  }
  pendingSeq += 1;
  const key = randomKey();
  const createdAt = new Date().toISOString();
  const placeholder = renderMemo({ id: `pending-${String(pendingSeq)}`, text, createdAt, updatedAt: null }, 'saving');
  ui.list.prepend(placeholder);
  // The box empties at once, but the draft kept on the device goes only once the memo is
  // stored: a reload meanwhile brings the text back rather than losing it.
  ui.text.value = '';
  grow(ui.text);
  updateCounter();
  updateEmpty();
  try {
    // With a key of its own, so that sending it again (from the outbox) can never add it twice.
    const memo = await api<Memo>('memo', {
      method: 'POST',
      body: JSON.stringify({ text }),
      headers: { 'Idempotency-Key': key },
    });
    if (ui.text.value === '') keepDraft(null);
    placeholder.replaceWith(renderMemo(memo));
    changeUsage(1, bytesOf(memo.text));
    say('');
    announce(t.added);
  } catch (err) {
    if (err instanceof RequestFailed && err.code === 'offline' && outbox.queue({ key, text, createdAt })) {
      // Offline: the memo waits on this device and goes once the connection is back.
      if (ui.text.value === '') keepDraft(null);
      placeholder.replaceWith(renderQueued({ key, text, createdAt }));
      say(t.queuedSaid);
      return;
    }
    placeholder.remove();
    updateEmpty();
    giveBack(text);
    if (err instanceof RequestFailed && err.status === 401) {
      sessionExpired();
      return;
    }
    const reason = err instanceof RequestFailed && err.code === 'offline' ? t.errors.offline : messageFor(err);
    say(fill(t.errors.addFailed, { reason }));
  }
}

// ---------------------------------------------------------------------------------------------
// Offline: the outbox

/** The service worker's copy of memo pages and who-am-I (page/sw/sw.ts names it too). */
const DATA_CACHE = 'memo-data';
const OUTBOX_RETRY_MS = 30_000;
const OUTBOX_SOON_MS = 5_000;
const OUTBOX_SEND_TIMEOUT_MS = 15_000;

/** The person's memos written offline, waiting on this device (outbox.ts). */
const outbox = new Outbox(storage, () => userId);

const queuedItem = (key: string): HTMLLIElement | null =>
  ui.list.querySelector<HTMLLIElement>(`li[data-outbox="${CSS.escape(key)}"]`);

function renderQueued(item: Outgoing): HTMLLIElement {
  const li = renderMemo(
    { id: `outbox-${item.key}`, text: item.text, createdAt: item.createdAt, updatedAt: null },
    'queued',
  );
  li.dataset.outbox = item.key;
  return li;
}

/** Shows the waiting memos at the top of the list, oldest lowest (as they will be stored). */
function showOutbox(): void {
  for (const item of outbox.read()) if (!queuedItem(item.key)) ui.list.prepend(renderQueued(item));
  updateEmpty();
}

let flushing: Promise<void> | null = null;

/**
 * Sends the waiting memos, oldest first, one at a time, each with its own idempotency key: a
 * memo whose answer was lost is not added twice when sent again. Stops at the first that cannot
 * go yet (offline, the service away, a rate limit) and tries again later; one the server refuses
 * for good (a quota, say) comes back to the box with the reason.
 */
function flushOutbox(): Promise<void> {
  flushing ??= (async () => {
    let sent = 0;
    for (let item = outbox.next(); item; item = outbox.next()) {
      const li = queuedItem(item.key);
      const state = li?.querySelector('.pending-state');
      if (state) state.textContent = t.sending;
      try {
        const memo = await api<Memo>('memo', {
          method: 'POST',
          body: JSON.stringify({ text: item.text }),
          headers: { 'Idempotency-Key': item.key },
          // A send that hangs must not hold the outbox: it is tried again later, safely.
          signal: AbortSignal.timeout(OUTBOX_SEND_TIMEOUT_MS),
        });
        outbox.drop(item.key);
        if (li) li.replaceWith(renderMemo(memo));
        else ui.list.prepend(renderMemo(memo));
        changeUsage(1, bytesOf(memo.text));
        sent += 1;
      } catch (err) {
        if (state) state.textContent = t.queued;
        if (!(err instanceof RequestFailed)) break;
        const next = afterFailedSend(err.status, err.code);
        if (next === 'gone') {
          // Stored earlier and deleted since (on another device).
          outbox.drop(item.key);
          li?.remove();
          continue;
        }
        if (next === 'later') {
          // Not yet: soon again while the device says it is online, else at the 'online' event.
          if (navigator.onLine) setTimeout(() => void flushOutbox(), OUTBOX_SOON_MS);
          break;
        }
        if (next === 'login') {
          sessionExpired();
          break;
        }
        outbox.drop(item.key);
        li?.remove();
        giveBack(item.text);
        say(fill(t.errors.addFailed, { reason: messageFor(err) }));
      }
    }
    updateEmpty();
    if (sent > 0) say(fill(t.outboxSent, { n: sent.toLocaleString(locale) }));
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}

/** Forgets what this device kept of the person's memos (logout, 회원 탈퇴). */
function forgetOffline(everything: boolean): void {
  if (everything) outbox.clear();
  if ('caches' in window) void caches.delete(DATA_CACHE);
}

// ---------------------------------------------------------------------------------------------
// Start

async function showMemos(): Promise<void> {
  showOnly(ui.loading);
  try {
    servedOffline = false;
    // Who is logged in: null when nobody is (not an error, so the console stays clean).
    const { user: me } = await api<{ user: Person | null }>('auth/session');
    if (!me) {
      showLogin();
      return;
    }
    userName = me.name;
    adoptUser(me.id);
    // They declined to share a name: ask once, in words, and never stand in the way.
    ui.nameAsk.hidden = !me.nameDeclined || storage.get(NAME_ASKED_KEY) !== null;
    if (!ui.nameAsk.hidden) storage.set(NAME_ASKED_KEY, '1');
    ui.greeting.textContent = fill(t.greeting, { name: me.name });
    ui.account.hidden = false;
    ui.deleteAccount.hidden = false;
    ui.transfer.hidden = false;
    await loadMemos(null);
    showOnly(ui.memoView);
    // (api() sets it when the service worker answered from its copy.)
    if (servedOffline as boolean) say(t.offlineShown);
    else void flushOutbox();
    const draft = drafts.current();
    if (draft && ui.text.value === '') {
      ui.text.value = draft;
      onInput();
    }
  } catch (err) {
    if (err instanceof RequestFailed && err.status === 401) {
      showLogin();
      return;
    }
    showError(err, () => void showMemos());
  }
}

function start(): void {
  // (api() tells when the service worker answered from its copy: the device is offline.)
  whenAnsweredOffline(() => (servedOffline = true));
  const params = new URLSearchParams(location.search);
  const loginError = params.get('login_error');
  tags.start();
  applyLanguage();
  if (loginError !== null) {
    const known = ['access_denied', 'invalid_state', 'naver_error', 'naver_unavailable', 'unavailable'];
    const reason =
      loginError === 'rate_limited' ? 'login_rate_limited' : known.includes(loginError) ? loginError : 'naver_error';
    say(t.errors[reason as ErrorCode]);
    params.delete('login_error');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
  }
  ui.language.addEventListener('click', switchLanguage);
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void addMemo();
  });
  ui.text.addEventListener('input', onInput);
  ui.previewToggle.addEventListener('click', togglePreview);
  ui.text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void addMemo();
    }
  });
  ui.search.addEventListener('input', () => {
    applySearch();
    void searchEverything();
  });
  ui.more.addEventListener('click', () => void loadMore());
  // A #태그 in a memo or in the tag list filters the list; the address keeps it (back works).
  if ('IntersectionObserver' in window) {
    // More memos load as the "more" button scrolls into view; the button still works by hand.
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMore();
    }).observe(ui.more);
  }
  ui.logout.addEventListener('click', () => {
    commitDelete();
    void api<undefined>('auth/logout', { method: 'POST' })
      .then(() => {
        keepDraft(null);
        forgetOffline(false);
        ui.text.value = '';
        onInput();
        showLogin();
        say(t.loggedOut);
      })
      .catch(handleFailure);
  });
  ui.nameDismiss.addEventListener('click', () => (ui.nameAsk.hidden = true));
  // 가져오기: an export (JSON) or a text/Markdown file; what is there already stays as it is.
  ui.importButton.addEventListener('click', () => ui.importFile.click());
  ui.importFile.addEventListener('change', () => {
    const file = ui.importFile.files?.[0];
    ui.importFile.value = '';
    if (!file) return;
    const type = /\.json$/i.test(file.name) ? 'application/json' : 'text/markdown; charset=utf-8';
    void file
      .text()
      .then((body) =>
        api<{ imported: number; skipped: number }>('memo/import', {
          method: 'POST',
          body,
          headers: { 'Content-Type': type },
        }),
      )
      .then(async ({ imported, skipped }) => {
        await loadMemos(null);
        say(fill(t.imported, { n: imported.toLocaleString(locale), skipped: skipped.toLocaleString(locale) }));
      })
      .catch(handleFailure);
  });
  // 회원 탈퇴: a confirmation that names what goes, then everything is deleted at once.
  ui.deleteAccount.addEventListener('click', () => {
    const count = usage?.memos.used ?? ui.list.children.length;
    ui.deleteText.textContent = fill(t.deleteText, { n: count.toLocaleString(locale) });
    ui.deleteDialog.showModal();
    ui.deleteCancel.focus();
  });
  ui.deleteCancel.addEventListener('click', () => ui.deleteDialog.close());
  ui.deleteConfirm.addEventListener('click', () => {
    ui.deleteConfirm.disabled = true;
    void api<unknown>('auth/account', { method: 'DELETE' })
      .then(() => {
        ui.deleteDialog.close();
        keepDraft(null);
        forgetOffline(true);
        ui.text.value = '';
        onInput();
        showLogin();
        say(t.accountDeleted);
      })
      .catch((err: unknown) => {
        ui.deleteDialog.close();
        handleFailure(err);
      })
      .finally(() => (ui.deleteConfirm.disabled = false));
  });
  // A delete still waiting for its undo window is sent when the page goes away.
  addEventListener('pagehide', () => commitDelete(true));
  addEventListener('online', () => {
    // What waits goes first; then a list shown from the offline copy is fetched anew.
    const reload = !ui.errorView.hidden || servedOffline;
    const sending = ui.memoView.hidden ? Promise.resolve() : flushOutbox();
    if (reload) void sending.then(showMemos);
    else if (ui.status.textContent === t.errors.offline) say('');
  });
  // Memos still waiting (the service was away, say) are tried again now and then.
  setInterval(() => {
    if (navigator.onLine && !ui.memoView.hidden && outbox.next()) void flushOutbox();
  }, OUTBOX_RETRY_MS);
  // Offline use and installing the app (page/sw/sw.ts), within the page's own path.
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('sw.js', { scope: './' }).catch(() => undefined);
  }
  addEventListener('offline', () => say(t.errors.offline));
  setInterval(refreshTimes, 30_000);
  updateCounter();
  void showMemos();
}

start();
