/**
 * The page a share link opens (`<publicUrl>s/<token>`): its own small bundle, not the memo page's
 * (none of its state, storage or service worker). It asks memo-service for the one memo, without
 * cookies, and shows it with the same safe Markdown as the memo page, read only: tags are plain
 * text (no tag list to go to) and task boxes cannot be ticked. Nothing of the owner but the memo.
 */
import type { SharedMemo } from '@memo/common/api-types';
import { fill, localeFor, pickLanguage } from './format.js';
import { renderMarkdown, taskText } from './markdown.js';
import type { Language } from './strings.js';

const WORDS = {
  ko: {
    title: '공유된 메모 · memo',
    heading: '공유된 메모',
    loading: '메모를 불러오는 중…',
    gone: '이 링크로는 메모를 볼 수 없습니다. 공유가 중지되었거나, 기간이 지났거나, 메모가 지워졌습니다.',
    off: '이 사이트에서는 메모 공유가 꺼져 있습니다.',
    busy: '잠시 후 다시 열어 주세요. 짧은 시간에 너무 많이 열었습니다.',
    failed: '메모를 불러오지 못했습니다. 연결을 확인하고 다시 열어 주세요.',
    written: '{when} 작성',
    edited: '{when} 수정',
    expires: '{when}까지 공유',
    about: 'memo에서 읽기 전용으로 공유한 메모입니다.',
    home: 'memo 시작하기',
    switchTo: 'English',
    switchTitle: 'Switch to English',
    task: '할 일: {text}',
  },
  en: {
    title: 'Shared memo · memo',
    heading: 'Shared memo',
    loading: 'Loading the memo…',
    gone: 'This link shows no memo: sharing was stopped, it expired, or the memo was deleted.',
    off: 'Sharing memos is turned off on this site.',
    busy: 'Please open it again in a moment: it was opened too often just now.',
    failed: 'The memo could not be loaded. Check your connection and open it again.',
    written: 'written {when}',
    edited: 'edited {when}',
    expires: 'shared until {when}',
    about: 'A memo shared read only from memo.',
    home: 'Start using memo',
    switchTo: '한국어',
    switchTitle: '한국어로 보기',
    task: 'To-do: {text}',
  },
};

const $ = (id: string): HTMLElement => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el;
};

/**
 * The token is the start of the path's last part (a chat app may have glued punctuation to its
 * end); the API is two levels up (`<base>s/<token>`).
 */
const token = /^[A-Za-z0-9_-]{24}/.exec(location.pathname.slice(location.pathname.lastIndexOf('/') + 1))?.[0] ?? '-';
const api = new URL(`../memo/shared/${encodeURIComponent(token)}`, location.href);

/** Same key as the memo page's choice of language, read only: this page keeps nothing. */
let language: Language = pickLanguage(safeStored(), navigator.languages);
let shown: SharedMemo | null = null;
let problem: keyof (typeof WORDS)['ko'] | null = 'loading';

function safeStored(): string | null {
  try {
    return localStorage.getItem('memo:lang');
  } catch {
    return null;
  }
}

function render(): void {
  const w = WORDS[language];
  const format = new Intl.DateTimeFormat(localeFor(language, navigator.languages), {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const formatFull = (iso: string): string => format.format(new Date(iso));
  document.documentElement.lang = language;
  document.title = w.title;
  $('shared-title').textContent = w.heading;
  $('shared-about').textContent = w.about;
  $('shared-home').textContent = w.home;
  const toggle = $('language');
  toggle.textContent = w.switchTo;
  toggle.title = w.switchTitle;
  toggle.lang = language === 'ko' ? 'en' : 'ko';
  const status = $('shared-status');
  status.textContent = problem === null ? '' : w[problem];
  status.hidden = problem === null;
  const article = $('shared-memo');
  article.hidden = shown === null;
  if (!shown) return;
  const meta = $('shared-meta');
  const parts: string[] = [];
  if (shown.createdAt) parts.push(fill(w.written, { when: formatFull(shown.createdAt) }));
  if (shown.updatedAt) parts.push(fill(w.edited, { when: formatFull(shown.updatedAt) }));
  if (shown.expiresAt) parts.push(fill(w.expires, { when: formatFull(shown.expiresAt) }));
  meta.textContent = parts.join(' · ');
  // Each task box is named by its own item's text, as on the memo page.
  for (const box of $('shared-text').querySelectorAll('input')) {
    box.setAttribute('aria-label', fill(w.task, { text: taskText(box) }));
  }
}

/** The memo as read-only nodes: tags as plain text, task boxes shown but not tickable. */
function showText(text: string): void {
  const { fragment } = renderMarkdown(text);
  for (const tag of fragment.querySelectorAll('a.tag')) {
    const span = document.createElement('span');
    span.className = 'tag';
    span.textContent = tag.textContent;
    tag.replaceWith(span);
  }
  for (const box of fragment.querySelectorAll('input')) box.disabled = true;
  $('shared-text').replaceChildren(fragment);
}

async function load(): Promise<void> {
  try {
    const res = await fetch(api, { credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
    if (res.ok) {
      shown = (await res.json()) as SharedMemo;
      showText(shown.text);
      problem = null;
    } else {
      const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
      problem =
        res.status === 429
          ? 'busy'
          : body.error?.code === 'sharing_off'
            ? 'off'
            : res.status === 404
              ? 'gone'
              : 'failed';
    }
  } catch {
    problem = 'failed';
  }
  render();
}

$('language').addEventListener('click', () => {
  language = language === 'ko' ? 'en' : 'ko';
  render();
});
render();
void load();
