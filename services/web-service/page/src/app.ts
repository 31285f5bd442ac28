/**
 * The memo page. Every URL is relative to the page, so the site also works under a sub-path.
 * Memo text is only ever set with textContent: it is shown as text, never as HTML.
 */

interface Memo {
  id: string;
  text: string;
  createdAt: string | null;
  updatedAt: string | null;
}

interface Page {
  memos: Memo[];
  nextCursor: string | null;
}

interface ApiError {
  error?: { code?: string; message?: string };
}

const MAX_LENGTH = 10_000;

const LOGIN_ERRORS: Record<string, string> = {
  access_denied: '네이버 로그인을 취소했습니다.',
  invalid_state: '로그인 요청이 만료되었거나 올바르지 않습니다. 다시 로그인해 주세요.',
  naver_error: '네이버 로그인에 실패했습니다. 다시 시도해 주세요.',
  naver_unavailable: '지금은 네이버에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.',
  unavailable: '서비스에 일시적인 문제가 있습니다. 잠시 후 다시 시도해 주세요.',
};

const API_ERRORS: Record<string, string> = {
  text_empty: '메모 내용을 입력하세요.',
  text_required: '메모 내용을 입력하세요.',
  text_too_long: `메모는 ${MAX_LENGTH.toLocaleString('ko-KR')}자까지 쓸 수 있습니다.`,
  payload_too_large: `메모는 ${MAX_LENGTH.toLocaleString('ko-KR')}자까지 쓸 수 있습니다.`,
  not_found: '이미 삭제된 메모입니다.',
  unauthorized: '로그인이 필요합니다. 다시 로그인해 주세요.',
  unavailable: '서비스에 일시적인 문제가 있습니다. 잠시 후 다시 시도해 주세요.',
};
const GENERIC_ERROR = '문제가 생겼습니다. 잠시 후 다시 시도해 주세요.';

class RequestFailed extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(API_ERRORS[code] ?? GENERIC_ERROR);
  }
}

function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el;
}

const ui = {
  status: $('status'),
  account: $('account'),
  greeting: $('greeting'),
  logout: $('logout') as HTMLButtonElement,
  loginView: $('login-view'),
  memoView: $('memo-view'),
  form: $('new-memo') as HTMLFormElement,
  text: $('text') as HTMLTextAreaElement,
  counter: $('counter'),
  list: $('memos') as HTMLUListElement,
  empty: $('empty'),
  more: $('more') as HTMLButtonElement,
};

let nextCursor: string | null = null;

function say(message: string): void {
  ui.status.textContent = message;
  ui.status.hidden = message === '';
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  } catch {
    throw new RequestFailed(0, 'offline');
  }
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => ({}))) as T & ApiError;
  if (!res.ok) throw new RequestFailed(res.status, body.error?.code ?? 'unknown');
  return body;
}

function showLogin(): void {
  ui.account.hidden = true;
  ui.memoView.hidden = true;
  ui.loginView.hidden = false;
  ui.list.replaceChildren();
}

function handleFailure(err: unknown): void {
  if (err instanceof RequestFailed && err.status === 401) {
    showLogin();
    say(API_ERRORS.unauthorized ?? GENERIC_ERROR);
    return;
  }
  if (err instanceof RequestFailed && err.code === 'offline') {
    say('네트워크에 연결할 수 없습니다. 연결을 확인해 주세요.');
    return;
  }
  say(err instanceof Error ? err.message : GENERIC_ERROR);
}

const dateFormat = new Intl.DateTimeFormat(navigator.language || 'ko-KR', {
  dateStyle: 'medium',
  timeStyle: 'short',
});

function updateEmpty(): void {
  ui.empty.hidden = ui.list.children.length > 0;
}

function renderMemo(memo: Memo): HTMLLIElement {
  const li = document.createElement('li');
  li.dataset.id = memo.id;
  const text = document.createElement('p');
  text.className = 'memo-text';
  text.textContent = memo.text;
  const meta = document.createElement('div');
  meta.className = 'memo-meta';
  const time = document.createElement('time');
  if (memo.createdAt) {
    time.dateTime = memo.createdAt;
    time.textContent = dateFormat.format(new Date(memo.createdAt)) + (memo.updatedAt ? ' (수정됨)' : '');
  } else {
    time.textContent = memo.updatedAt ? '수정됨' : '이전 메모';
  }
  const actions = document.createElement('div');
  actions.className = 'memo-actions';
  const edit = document.createElement('button');
  edit.type = 'button';
  edit.textContent = '수정';
  edit.setAttribute('aria-label', '메모 수정');
  edit.addEventListener('click', () => startEdit(li, memo));
  const del = document.createElement('button');
  del.type = 'button';
  del.className = 'danger';
  del.textContent = '삭제';
  del.setAttribute('aria-label', '메모 삭제');
  del.addEventListener('click', () => void removeMemo(li, memo));
  actions.append(edit, del);
  meta.append(time, actions);
  li.append(text, meta);
  return li;
}

function startEdit(li: HTMLLIElement, memo: Memo): void {
  const form = document.createElement('form');
  form.className = 'edit';
  const area = document.createElement('textarea');
  area.value = memo.text;
  area.rows = Math.min(12, Math.max(3, memo.text.split('\n').length));
  area.setAttribute('aria-label', '메모 내용 수정');
  const row = document.createElement('div');
  row.className = 'row';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.textContent = '취소';
  const save = document.createElement('button');
  save.type = 'submit';
  save.textContent = '저장';
  row.append(cancel, save);
  form.append(area, row);
  li.replaceChildren(form);
  area.focus();
  cancel.addEventListener('click', () => li.replaceWith(renderMemo(memo)));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        const updated = await api<Memo>(`memo/${encodeURIComponent(memo.id)}`, {
          method: 'PUT',
          body: JSON.stringify({ text: area.value }),
        });
        li.replaceWith(renderMemo(updated));
        say('');
      } catch (err) {
        handleFailure(err);
      }
    })();
  });
}

async function removeMemo(li: HTMLLIElement, memo: Memo): Promise<void> {
  try {
    await api<undefined>(`memo/${encodeURIComponent(memo.id)}`, { method: 'DELETE' });
    li.remove();
    updateEmpty();
    say('메모를 삭제했습니다.');
  } catch (err) {
    if (err instanceof RequestFailed && err.status === 404) {
      li.remove();
      updateEmpty();
    }
    handleFailure(err);
  }
}

async function loadMemos(cursor: string | null): Promise<void> {
  const query = cursor ? `memo?cursor=${encodeURIComponent(cursor)}` : 'memo';
  const page = await api<Page>(query);
  if (!cursor) ui.list.replaceChildren();
  ui.list.append(...page.memos.map(renderMemo));
  nextCursor = page.nextCursor;
  ui.more.hidden = nextCursor === null;
  updateEmpty();
}

function updateCounter(): void {
  const length = Array.from(ui.text.value).length;
  ui.counter.textContent = `${length.toLocaleString('ko-KR')} / ${MAX_LENGTH.toLocaleString('ko-KR')}`;
}

async function addMemo(): Promise<void> {
  const text = ui.text.value;
  if (text.trim() === '') {
    say(API_ERRORS.text_empty ?? GENERIC_ERROR);
    return;
  }
  try {
    const memo = await api<Memo>('memo', { method: 'POST', body: JSON.stringify({ text }) });
    ui.list.prepend(renderMemo(memo));
    ui.text.value = '';
    updateCounter();
    updateEmpty();
    say('');
  } catch (err) {
    handleFailure(err);
  }
}

async function start(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const loginError = params.get('login_error');
  if (loginError !== null) {
    say(LOGIN_ERRORS[loginError] ?? LOGIN_ERRORS.naver_error ?? GENERIC_ERROR);
    params.delete('login_error');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
  }
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void addMemo();
  });
  ui.text.addEventListener('input', updateCounter);
  ui.text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void addMemo();
    }
  });
  ui.more.addEventListener('click', () => void loadMemos(nextCursor).catch(handleFailure));
  ui.logout.addEventListener('click', () => {
    void api<undefined>('auth/logout', { method: 'POST' })
      .then(() => {
        showLogin();
        say('로그아웃했습니다.');
      })
      .catch(handleFailure);
  });
  updateCounter();
  try {
    const me = await api<{ id: string; name: string }>('auth/me');
    ui.greeting.textContent = `${me.name}님 안녕하세요`;
    ui.account.hidden = false;
    ui.loginView.hidden = true;
    ui.memoView.hidden = false;
    await loadMemos(null);
  } catch (err) {
    if (err instanceof RequestFailed && err.status === 401) {
      showLogin();
      return;
    }
    handleFailure(err);
  }
}

void start();
export {};
