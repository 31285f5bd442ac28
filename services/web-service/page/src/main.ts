/**
 * The memo page: wires its state, views and controllers (page/README.md draws the layers) and
 * starts it. Every URL is relative to the page, so the site also works under a sub-path. Memo
 * text is shown as Markdown through marked and DOMPurify (markdown.ts): never as raw HTML.
 */
import type { ShareList } from '@memo/common/api-types';
import { Account } from './account.js';
import { RequestFailed, api, whenAnsweredOffline, type Person } from './api.js';
import { Composer } from './composer.js';
import { ui } from './dom.js';
import { bytesOf } from './format.js';
import { Memos } from './memos.js';
import { Messages, messageFor } from './messages.js';
import { onDemand } from './on-demand.js';
import { OutboxController } from './outbox.js';
import { showAccount, showError, showLogin, showOnly, translate } from './screens.js';
import { PageState } from './state.js';
import type { ErrorCode } from './strings.js';
import { Tags } from './tags.js';

const state = new PageState();
const messages = new Messages();

/** What a failed request means for the page: the login again, or a message. */
function failed(err: unknown): void {
  if (err instanceof RequestFailed && err.status === 401) {
    if (ui.memoView.hidden) leave();
    else composer.sessionExpired();
    return;
  }
  messages.say(messageFor(err, state.speech(), state));
}

/** Nobody is logged in here now: the login screen, with nothing of the last person on it. */
function leave(): void {
  state.signOut();
  memos.clear();
  forgetViews();
  showLogin();
}

/** A memo came back from the trash or the archive: at the top of the list, its tags in the list. */
function reloadWithTags(): Promise<void> {
  void tags.load();
  return memos.load(null);
}

/** The trash (trash.ts), loaded the first time it is opened. */
const trash = onDemand(() =>
  import('./trash.js').then(
    ({ Trash }) =>
      new Trash({
        state,
        messages,
        failed,
        body: ui.trashBody,
        restored: () => reloadWithTags(),
        purged: (count, bytes) => memos.changeUsage(-count, -bytes),
        emptied: () => memos.load(null),
      }),
  ),
);

/** The archive (archive.ts), loaded the first time it is opened. */
const archive = onDemand(() =>
  import('./archive.js').then(
    ({ Archive }) =>
      new Archive({
        state,
        messages,
        failed,
        body: ui.archiveBody,
        tag: () => tags.active,
        restored: () => reloadWithTags(),
        removed: (memo) => {
          if (state.trashDays === 0) memos.changeUsage(-1, -bytesOf(memo.text));
          refreshTrash();
        },
      }),
  ),
);

/** A memo's history (history.ts, with its diff), loaded the first time one is opened. */
const versions = onDemand(() =>
  import('./history.js').then(
    ({ History }) =>
      new History({
        state,
        messages,
        failed,
        restored: (memo, bytes) => {
          memos.replaced(memo);
          memos.changeUsage(0, bytes);
        },
        forgotten: (bytes) => memos.changeUsage(0, -bytes),
        gone: () => void memos.load(null),
      }),
  ),
);

/** A memo's share link (share.ts), loaded the first time one is opened. */
const sharing = onDemand(() =>
  import('./share.js').then(
    ({ Shares }) =>
      new Shares({
        state,
        failed,
        gone: () => void memos.load(null),
        linked: (list) => {
          sharesAsked += 1;
          marked(list);
        },
      }),
  ),
);

/** Share lists asked for so far: an answer older than the last one asked is not shown. */
let sharesAsked = 0;

/** The memos with a share link get their mark, from the list the share dialog or the page read. */
const marked = (list: ShareList): void => memos.markShared(list.links.map((link) => link.memoId));

/**
 * Which memos have a share link, asked with each first page (links are made and stopped on other
 * devices too). Offline or refused, the marks stay as they were: the list itself says why.
 */
function loadShareMarks(): void {
  const asked = ++sharesAsked;
  if (!state.sharing) return memos.markShared([]);
  api<ShareList>('memo/shares').then(
    (list) => {
      if (asked === sharesAsked) marked(list);
    },
    () => undefined,
  );
}

/** The trash as it is now, when it is open. */
function refreshTrash(): void {
  if (ui.trashPanel.open) void trash.get().then((t) => t.show(), failed);
}

/** The archive as it is now (of the list's tag, with one), when it is open. */
function refreshArchive(): void {
  if (ui.archivePanel.open) void archive.get().then((a) => a.show(), failed);
}

/** Nothing of the last person's trash, archive, history or share links stays on the page. */
function forgetViews(): void {
  ui.trashPanel.open = false;
  ui.archivePanel.open = false;
  ui.trashBody.replaceChildren();
  ui.archiveBody.replaceChildren();
  void trash.made()?.then((t) => t.clear());
  void archive.made()?.then((a) => a.clear());
  void versions.made()?.then((h) => h.clear());
  void sharing.made()?.then((s) => s.clear());
}

const memos: Memos = new Memos({
  state,
  messages,
  failed,
  tag: () => tags.active,
  firstPageShown: () => {
    outbox.show();
    loadShareMarks();
  },
  changed: () => void tags.load(),
  limitsChanged: () => {
    composer.updateCounter();
    ui.trashPanel.hidden = state.trashDays === 0;
  },
  deleted: () => refreshTrash(),
  archived: () => refreshArchive(),
  history: (memo, opener) => void versions.get().then((h) => h.open(memo, opener), failed),
  share: (memo, opener) => void sharing.get().then((s) => s.open(memo, opener), failed),
});

const tags: Tags = new Tags({
  speech: () => state.speech(),
  reloadMemos: () => {
    // The archive, when open, follows the tag the list shows.
    refreshArchive();
    return memos.load(null);
  },
  say: (message) => messages.say(message),
  failed,
  showing: () => !ui.memoView.hidden,
});

const outbox: OutboxController = new OutboxController({
  state,
  messages,
  render: (memo, pending) => memos.render(memo, pending),
  stored: (memo) => memos.changeUsage(1, bytesOf(memo.text)),
  listChanged: () => memos.updateEmpty(),
  giveBack: (text) => composer.giveBack(text),
  sessionExpired: () => composer.sessionExpired(),
});

/** Memos being saved, numbered for their items' ids. */
let saving = 0;

const composer: Composer = new Composer({
  state,
  messages,
  showSaving: (text, createdAt) => {
    saving += 1;
    const item = memos.render({ id: `pending-${String(saving)}`, text, createdAt, updatedAt: null }, 'saving');
    ui.list.prepend(item);
    memos.updateEmpty();
    return item;
  },
  stored: (item, memo) => {
    item.replaceWith(memos.render(memo));
    memos.changeUsage(1, bytesOf(memo.text));
  },
  dropped: (item) => {
    item.remove();
    memos.updateEmpty();
  },
  queue: (item, memo) => outbox.queue(item, memo),
});

const account = new Account({
  state,
  messages,
  failed,
  shownCount: () => ui.list.children.length,
  settle: () => memos.commitDelete(),
  reload: () => memos.load(null),
  left: (everything) => {
    // Their draft and box first, while the page still knows whose they are.
    composer.clear();
    outbox.forget(everything);
    leave();
  },
});

/** The page in the language chosen now: its fixed words, the memos, the counter, the tags. */
function applyLanguage(): void {
  translate(state.speech(), state.userName);
  memos.relabel();
  composer.relabel();
  tags.showFilter();
  void tags.load();
  void trash.made()?.then((t) => t.render());
  void archive.made()?.then((a) => a.render());
  void versions.made()?.then((h) => h.render());
  void sharing.made()?.then((s) => s.render());
}

/** Who is logged in, then their memos; or the login; or what went wrong, with 다시 시도. */
async function showMemos(): Promise<void> {
  showOnly(ui.loading);
  try {
    state.servedOffline = false;
    // Who is logged in: null when nobody is (not an error, so the console stays clean).
    const { user: me } = await api<{ user: Person | null }>('auth/session');
    if (!me) {
      leave();
      return;
    }
    if (me.id !== state.userId) forgetViews();
    state.userId = me.id;
    state.userName = me.name;
    composer.adopt(me.id);
    // They declined to share a name: ask once, in words, and never stand in the way.
    showAccount(me.name, account.askName(me.nameDeclined === true), state.speech());
    await memos.load(null);
    showOnly(ui.memoView);
    // (api() sets it when the service worker answered from its copy.)
    if (state.servedOffline as boolean) messages.say(state.t.offlineShown);
    else void outbox.flush();
    composer.restoreDraft();
  } catch (err) {
    if (err instanceof RequestFailed && err.status === 401) {
      leave();
      return;
    }
    showError(messageFor(err, state.speech(), state), () => void showMemos());
  }
}

/** A login that came back with ?login_error= says why in words, and the address loses it. */
function sayLoginError(): void {
  const params = new URLSearchParams(location.search);
  const loginError = params.get('login_error');
  if (loginError === null) return;
  const known = ['access_denied', 'invalid_state', 'naver_error', 'naver_unavailable', 'unavailable'];
  const reason =
    loginError === 'rate_limited' ? 'login_rate_limited' : known.includes(loginError) ? loginError : 'naver_error';
  messages.say(state.t.errors[reason as ErrorCode]);
  params.delete('login_error');
  const rest = params.toString();
  history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
}

async function start(): Promise<void> {
  await state.ready();
  // (api() tells when the service worker answered from its copy: the device is offline.)
  whenAnsweredOffline(() => (state.servedOffline = true));
  // A #태그 in a memo or in the tag list filters the list; the address keeps it (back works).
  tags.start();
  ui.trashPanel.addEventListener('toggle', refreshTrash);
  ui.archivePanel.addEventListener('toggle', refreshArchive);
  applyLanguage();
  sayLoginError();
  ui.language.addEventListener('click', () => {
    state.switchLanguage().then(applyLanguage, failed);
  });
  composer.start();
  memos.start();
  outbox.start();
  account.start();
  addEventListener('online', () => {
    // What waits goes first; then a list shown from the offline copy is fetched anew.
    const reload = !ui.errorView.hidden || state.servedOffline;
    const sending = ui.memoView.hidden ? Promise.resolve() : outbox.flush();
    if (reload) void sending.then(showMemos);
    else if (messages.showing() === state.t.errors.offline) messages.say('');
  });
  addEventListener('offline', () => messages.say(state.t.errors.offline));
  // Offline use and installing the app (page/sw/sw.ts), within the page's own path.
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('sw.js', { scope: './' }).catch(() => undefined);
  }
  void showMemos();
}

void start();
