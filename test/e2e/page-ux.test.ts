import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Browser, BrowserContext, BrowserContextOptions, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type LocalRedis } from '@memo/stack';
import { hasBrowser, launchBrowser, launchProfile } from '@memo/testing/browser';
import { forgetMemos, memoCount, storeOn } from '@memo/testing/memos';
import { runStack, type StartedStack } from '@memo/testing/stack';
import { STRINGS } from '../../services/web-service/page/src/strings.js';

/**
 * The page as people use it, in headless Chromium through the gateway of a real `npm start`
 * whose Redis this test owns (so it can take Redis away and bring it back): languages, times,
 * phones, dark mode, each state, writing, links, search, paging, keyboard, accessibility
 * (axe-core), caching and page weight. Screenshots go to SCREENSHOT_DIR (the README's come
 * from `SCREENSHOT_DIR=docs/screenshots npx vitest run test/e2e/page-ux.test.ts`).
 */

const USERS = {
  hong: { label: '홍길동', id: 'hGd7Qk2nZ0vXo3mPq8rTs1uVw4yAbCdEfGhIjKlMnOp' },
  kim: { label: '김민지', id: 'kMj5Lp9sRt2uVw6xYz0aBc3dEf7gHi1jKl4mNo8pQr2' },
  lee: { label: '이서준', id: 'lSj3Nq7wEr1tYu5iOp9aSd2fGh6jKl0zXc4vBn8mQw1' },
  park: { label: '박지민 (이름 제공 안 함)', id: 'pJm1Aa2Bb3Cc4Dd5Ee6Ff7Gg8Hh9Ii0Jj1Kk2Ll3Mm4' },
} as const;
type User = keyof typeof USERS;

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? join('test-results', 'screenshots');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let stack: StartedStack;
let browser: Browser;
let redisServer: LocalRedis;
let redis: Redis;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'memo-ux-'));
  redisServer = await startRedis({ dir: join(dataDir, 'redis') });
  redis = new Redis(redisServer.url);
  redis.on('error', () => undefined); // Redis goes away on purpose in one test.
  stack = await runStack({ DATA_DIR: dataDir, REDIS_URL: redisServer.url });
  browser = await launchBrowser();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser.close();
  redis.disconnect();
  await stack.stop();
  await redisServer.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ locale: 'ko-KR', timezoneId: 'Asia/Seoul', ...options });
}

async function logIn(context: BrowserContext, user: User, fresh = true): Promise<Page> {
  if (fresh) await forgetMemos(redis, USERS[user].id);
  const page = await context.newPage();
  await page.goto(stack.url);
  await page.locator('#login').click();
  await page.getByRole('button', { name: USERS[user].label, exact: true }).click();
  await page.waitForURL(stack.url);
  await expect.poll(() => page.locator('#memo-view').isVisible()).toBe(true);
  return page;
}

/** Memos as memo-service stores them, given oldest first (the last one ends up on top), `minutesAgo` old. */
async function seed(user: User, texts: string[], minutesAgo = 0): Promise<void> {
  const now = Date.now() - minutesAgo * 60_000;
  const store = storeOn(redis);
  for (const [i, text] of texts.entries()) {
    await store.add(USERS[user].id, text, new Date(now - (texts.length - i) * 1000));
  }
}

const memoTexts = (page: Page): Promise<string[]> => page.locator('#memos > li:visible .memo-text').allInnerTexts();
const status = (page: Page): Promise<string | null> => page.locator('#status').textContent();

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core in the page (evaluated over DevTools, so the page's CSP stays as it is). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } };
    return (await w.axe.run()).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact ?? ''}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe.skipIf(!hasBrowser())('the page, as people use it', () => {
  it('speaks Korean by default, English when the browser asks, and remembers a switch', async () => {
    const ko = await newContext();
    const page = await ko.newPage();
    await page.goto(stack.url);
    await expect.poll(() => page.locator('#login').textContent()).toBe('네이버 아이디로 로그인');
    expect(await page.locator('html').getAttribute('lang')).toBe('ko');
    await ko.close();

    // A browser with no language we speak gets Korean too.
    const fr = await newContext({ locale: 'fr-FR' });
    const frPage = await fr.newPage();
    await frPage.goto(stack.url);
    await expect.poll(() => frPage.locator('#login').textContent()).toBe('네이버 아이디로 로그인');
    await fr.close();

    const en = await newContext({ locale: 'en-US' });
    const enPage = await en.newPage();
    await enPage.goto(stack.url);
    await expect.poll(() => enPage.locator('#login').textContent()).toBe('Log in with Naver');
    expect(await enPage.locator('html').getAttribute('lang')).toBe('en');
    await enPage.getByRole('button', { name: '한국어' }).click();
    await expect.poll(() => enPage.locator('#login').textContent()).toBe('네이버 아이디로 로그인');
    await enPage.reload();
    await expect.poll(() => enPage.locator('#login').textContent()).toBe('네이버 아이디로 로그인');
    expect(await enPage.locator('html').getAttribute('lang')).toBe('ko');
    await en.close();
  });

  it('shows recent times as relative time in the reader’s language, older ones as dates', async () => {
    const context = await newContext();
    const page = await logIn(context, 'hong');
    await seed('hong', ['지난주 메모'], 60 * 24 * 9);
    await seed('hong', ['어제 메모'], 60 * 24);
    await seed('hong', ['삼 분 전 메모'], 3);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(['삼 분 전 메모', '어제 메모', '지난주 메모']);
    const times = page.locator('#memos time');
    await expect
      .poll(() => times.allTextContents())
      .toEqual([
        '3분 전',
        '어제',
        expect.stringMatching(/^\d{4}\. \d{1,2}\. \d{1,2}\. (오전|오후) \d{1,2}:\d{2}$/) as string,
      ]);
    expect(await times.first().getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await times.first().getAttribute('title')).toMatch(/요일/);

    await page.getByLabel('새 메모').fill('방금 쓴 메모');
    await page.getByLabel('새 메모').press('Control+Enter');
    await expect.poll(() => times.first().textContent()).toBe('방금 전');

    await page.getByRole('button', { name: 'English' }).click();
    await expect
      .poll(() => times.allTextContents())
      .toEqual([
        'just now',
        '3 minutes ago',
        'yesterday',
        expect.stringMatching(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s?[AP]M$/) as string,
      ]);
    await expect.poll(() => page.locator('#greeting').textContent()).toBe('Hello, 홍길동');
    await context.close();
  });

  it('writes comfortably: the box grows, the counter warns, Ctrl+Enter saves, over the limit nothing is sent', async () => {
    const context = await newContext();
    const page = await logIn(context, 'kim');
    const box = page.getByLabel('새 메모');
    const before = (await box.boundingBox())?.height ?? 0;
    await box.fill(Array.from({ length: 12 }, (_, i) => `줄 ${String(i + 1)}`).join('\n'));
    const after = (await box.boundingBox())?.height ?? 0;
    expect(after).toBeGreaterThan(before * 2);

    await box.fill('가'.repeat(8_999));
    await expect.poll(() => page.locator('#counter').getAttribute('data-level')).toBe('ok');
    await box.fill('가'.repeat(9_500));
    await expect.poll(() => page.locator('#counter').getAttribute('data-level')).toBe('near');
    await expect.poll(() => page.locator('#counter').textContent()).toBe('9,500 / 10,000자');
    await expect.poll(() => page.locator('#announce').textContent()).toBe('500자 남았습니다');
    // Emoji count as one character, as the server counts them.
    await box.fill('🙂'.repeat(10_000));
    await expect.poll(() => page.locator('#counter').textContent()).toBe('10,000 / 10,000자');

    await box.fill('가'.repeat(10_001));
    await expect.poll(() => page.locator('#counter').getAttribute('data-level')).toBe('over');
    let posts = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST') posts += 1;
    });
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await expect.poll(() => status(page)).toBe('메모는 10,000자까지 쓸 수 있습니다.');
    expect(posts).toBe(0);
    expect(await memoTexts(page)).toEqual([]);
    await context.close();
  });

  it('counts against the limit the server gives with each page, not one of its own', async () => {
    // As when an operator sets the chart's memo.maxLength to 5,000: the page says so and holds to it.
    const context = await newContext();
    await context.route(/\/memo(\?[^/]*)?$/, async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      const response = await route.fetch();
      const page = (await response.json()) as { limits: { memoLength: number } };
      page.limits.memoLength = 5_000;
      return route.fulfill({ response, json: page });
    });
    const page = await logIn(context, 'lee');
    const box = page.getByLabel('새 메모');
    await box.fill('가'.repeat(4_800));
    await expect.poll(() => page.locator('#counter').textContent()).toBe('4,800 / 5,000자');
    await box.fill('가'.repeat(5_001));
    await expect.poll(() => page.locator('#counter').getAttribute('data-level')).toBe('over');
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await expect.poll(() => status(page)).toBe('메모는 5,000자까지 쓸 수 있습니다.');
    await context.close();
  });

  it('keeps line breaks and makes links clickable but safe', async () => {
    const context = await newContext();
    const page = await logIn(context, 'lee');
    const text = '읽을 것:\nhttps://example.com/a?b=1&c=한글.\njavascript:alert(1) <a href="x">x</a> http://[bad';
    await page.getByLabel('새 메모').fill(text);
    await page.getByLabel('새 메모').press('Control+Enter');
    await expect.poll(() => memoTexts(page)).toEqual([text]);
    const links = page.locator('#memos .memo-text a');
    expect(await links.count()).toBe(1);
    expect(await links.first().getAttribute('href')).toBe('https://example.com/a?b=1&c=%ED%95%9C%EA%B8%80');
    expect(await links.first().textContent()).toBe('https://example.com/a?b=1&c=한글');
    expect(await links.first().getAttribute('rel')).toBe('noopener noreferrer nofollow ugc');
    expect(await links.first().getAttribute('target')).toBe('_blank');
    // A single line break stays a line break (Markdown's soft breaks would join the lines).
    expect(await page.locator('#memos .memo-text br').count()).toBe(2);
    const height = (await page.locator('#memos .memo-text').boundingBox())?.height ?? 0;
    const line = await page.locator('#memos .memo-text').evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
    expect(height).toBeGreaterThanOrEqual(line * 3 - 1);
    await context.close();
  });

  it('filters memos as you type and loads more as you scroll', async () => {
    const context = await newContext({ viewport: { width: 1000, height: 700 } });
    const page = await logIn(context, 'park');
    await seed(
      'park',
      Array.from({ length: 45 }, (_, i) => `메모 ${String(45 - i)}${i === 40 ? ' 장보기: 사과, Ｍｉｌｋ' : ''}`),
      10,
    );
    await page.reload();
    await expect.poll(() => page.locator('#memos > li').count()).toBe(20);
    // Search covers every memo, not only the 20 on screen: the one that matches is on page 3.
    await page.getByRole('searchbox', { name: '메모 검색' }).fill('milk');
    await expect.poll(() => memoTexts(page)).toEqual(['메모 5 장보기: 사과, Ｍｉｌｋ']);
    await expect.poll(() => page.locator('#announce').textContent()).toBe('메모 45개 중 1개');
    await page.getByRole('searchbox', { name: '메모 검색' }).fill('');
    await page.reload();
    await expect.poll(() => page.locator('#memos > li').count()).toBe(20);
    // Scrolling to the end brings the next pages, until there are no more (a person keeps
    // scrolling while a page loads; so does this, between looks).
    await expect
      .poll(
        async () => {
          await page.mouse.wheel(0, 20_000);
          return page.locator('#memos > li').count();
        },
        { timeout: 10_000 },
      )
      .toBe(45);
    await expect.poll(() => page.locator('#more').isVisible()).toBe(false);

    await page.getByRole('searchbox', { name: '메모 검색' }).fill('milk');
    await expect.poll(() => memoTexts(page)).toEqual(['메모 5 장보기: 사과, Ｍｉｌｋ']);
    await page.getByRole('searchbox', { name: '메모 검색' }).fill('없는 말');
    await expect.poll(() => page.locator('#no-match').isVisible()).toBe(true);
    await page.getByRole('searchbox', { name: '메모 검색' }).fill('');
    await expect.poll(() => page.locator('#memos > li:visible').count()).toBe(45);
    await context.close();
  });

  it('loads more with the button too, keyboard only', async () => {
    const context = await newContext({ viewport: { width: 1000, height: 900 } });
    // Without IntersectionObserver (older browsers) the button is the way: it must work alone.
    await context.addInitScript(() => {
      delete (window as { IntersectionObserver?: unknown }).IntersectionObserver;
    });
    const page = await logIn(context, 'hong');
    await seed(
      'hong',
      Array.from({ length: 25 }, (_, i) => `버튼 메모 ${String(25 - i)}`),
      5,
    );
    await page.reload();
    await expect.poll(() => page.locator('#memos > li').count()).toBe(20);
    await page.getByRole('button', { name: '더 보기' }).click();
    await expect.poll(() => page.locator('#memos > li').count()).toBe(25);
    await expect.poll(() => page.locator('#more').isVisible()).toBe(false);
    await page.evaluate(() => window.scrollTo(0, 0));

    // Keyboard: Tab reaches the language switch, logout, the box, preview, save, search, tags, and each memo's buttons (pin, edit, delete), with focus visible.
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    const reached: string[] = [];
    for (let i = 0; i < 11; i += 1) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el) return '';
        const outline = getComputedStyle(el).outlineStyle;
        const name = el.getAttribute('aria-label') ?? el.textContent.trim();
        return `${el.tagName.toLowerCase()}:${el.id || name}:${outline}`;
      });
      reached.push(focused);
    }
    expect(reached.slice(0, 10)).toEqual([
      'button:language:solid',
      'button:logout:solid',
      'textarea:text:solid',
      'button:preview-toggle:solid',
      'button:save:solid',
      'input:search:solid',
      'summary:태그:solid',
      'button:메모를 맨 위에 고정:solid',
      'button:메모 수정:solid',
      'button:메모 삭제:solid',
    ]);
    // Enter on a memo's edit button edits in place; Escape puts it back; focus returns.
    expect(reached[10]).toBe('button:메모를 맨 위에 고정:solid');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByLabel('메모 내용 수정').isVisible()).toBe(true);
    await page.keyboard.type(' (고침)');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => memoTexts(page).then((t) => t[0])).toBe('버튼 메모 1 (고침)');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? ''))
      .toBe('메모 수정');
    await context.close();
  });

  it('shows the new memo at once, keeps one written offline waiting, and rolls one back when the save fails', async () => {
    const context = await newContext();
    const page = await logIn(context, 'kim');
    // Hold the save, so the memo is seen on the page before the server has answered.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/memo', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      await held;
      return route.continue();
    });
    await page.getByLabel('새 메모').fill('곧바로 보이는 메모');
    await page.getByLabel('새 메모').press('Control+Enter');
    await expect.poll(() => memoTexts(page)).toEqual(['곧바로 보이는 메모']);
    expect(await page.locator('#memos > li').first().getAttribute('aria-busy')).toBe('true');
    expect(await page.getByLabel('새 메모').inputValue()).toBe('');
    release();
    await expect.poll(() => page.locator('#memos > li.pending').count()).toBe(0);
    expect(await memoCount(redis, USERS.kim.id)).toBe(1);
    await page.unroute('**/memo');

    // Offline: the memo stays, waiting on the device, and the page says so; online, it goes.
    await context.setOffline(true);
    await page.getByLabel('새 메모').fill('오프라인 메모');
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await expect.poll(() => status(page)).toBe('오프라인이라 메모를 이 기기에 두었습니다. 연결되면 보냅니다.');
    expect(await memoTexts(page)).toEqual(['오프라인 메모', '곧바로 보이는 메모']);
    expect(await page.locator('#memos > li.queued').count()).toBe(1);
    expect(await page.getByLabel('새 메모').inputValue()).toBe('');
    expect(await memoCount(redis, USERS.kim.id)).toBe(1);
    await context.setOffline(false);
    await expect.poll(() => page.locator('#memos > li.pending').count()).toBe(0);
    await expect.poll(() => status(page)).toBe('기다리던 메모 1개를 보냈습니다.');
    expect(await memoTexts(page)).toEqual(['오프라인 메모', '곧바로 보이는 메모']);
    expect(await memoCount(redis, USERS.kim.id)).toBe(2);

    // Reloading before a save is answered loses nothing: the cut-off save waits in the outbox
    // (or, if the page had no time to put it there, its text is still the draft), and goes once.
    const hold = (route: Route): Promise<void> =>
      route.request().method() === 'POST' ? new Promise<void>(() => undefined) : route.continue();
    await page.route('**/memo', hold);
    await page.getByLabel('새 메모').fill('저장 중에 새로고침');
    await page.getByLabel('새 메모').press('Control+Enter');
    await expect.poll(() => page.locator('#memos > li.pending').count()).toBe(1);
    await page.reload();
    await expect
      .poll(async () => [await page.getByLabel('새 메모').inputValue(), ...(await memoTexts(page))])
      .toEqual(['', '저장 중에 새로고침', '오프라인 메모', '곧바로 보이는 메모']);
    expect(await page.locator('#memos > li.queued').count()).toBe(1);
    expect(await memoCount(redis, USERS.kim.id)).toBe(2);
    await page.unroute('**/memo', hold);
    await page.evaluate(() => dispatchEvent(new Event('online')));
    await expect.poll(() => memoCount(redis, USERS.kim.id), { timeout: 10_000 }).toBe(3);
    await expect.poll(() => page.locator('#memos > li.pending').count()).toBe(0);
    await context.close();
  });

  it('explains a full quota and a full storage in words, in Korean and in English', async () => {
    const context = await newContext();
    const page = await logIn(context, 'hong');
    // At the count quota (memo-service's default, 1,000 memos), seeded as if written before.
    await seed(
      'hong',
      Array.from({ length: 1_000 }, (_, i) => `메모 ${String(i)}`),
      60,
    );
    await page.reload();
    await expect
      .poll(() => page.locator('#usage').textContent())
      .toMatch(/^메모 1,000\/1,000개 · 9\.7\s?kB \/ 256\s?kB 사용 중$/);
    const box = page.locator('#text');
    await box.fill('하나 더');
    await box.press('Control+Enter');
    await expect
      .poll(() => status(page))
      .toBe('메모를 저장하지 못했습니다. 메모는 1,000개까지 남길 수 있습니다. 몇 개를 지우면 다시 쓸 수 있습니다.');
    expect(await box.inputValue()).toBe('하나 더');
    expect(await memoCount(redis, USERS.hong.id)).toBe(1_000);
    await page.locator('#language').click();
    await box.press('Control+Enter');
    await expect
      .poll(() => status(page))
      .toBe('The memo was not saved. You can keep up to 1,000 memos. Delete a few to write more.');
    await page.locator('#language').click();

    // The byte quota (256 KB): eight long memos leave less room than a ninth needs.
    await forgetMemos(redis, USERS.hong.id);
    await seed(
      'hong',
      Array.from({ length: 8 }, () => '가'.repeat(10_000)),
      60,
    );
    await page.reload();
    await box.fill('나'.repeat(10_000));
    await box.press('Control+Enter');
    await expect
      .poll(() => status(page))
      .toMatch(
        /^메모를 저장하지 못했습니다\. 남은 저장 공간\(22\s?kB\)보다 큰 메모입니다\. 메모는 모두 합쳐 256\s?kB까지 저장할 수 있습니다\.$/,
      );

    // Redis at its memory ceiling: nothing can be saved, reading goes on.
    await box.fill('짧은 메모');
    await redis.config('SET', 'maxmemory', '1');
    try {
      await box.press('Control+Enter');
      await expect
        .poll(() => status(page))
        .toBe(
          '메모를 저장하지 못했습니다. 지금은 저장 공간이 가득 차서 새로 저장할 수 없습니다. 메모를 읽는 것은 그대로 됩니다.',
        );
      await page.reload();
      await expect.poll(() => page.locator('#memos > li').count()).toBe(8);
    } finally {
      await redis.config('SET', 'maxmemory', '0');
    }
    await box.press('Control+Enter');
    await expect.poll(() => memoTexts(page).then((texts) => texts[0])).toBe('짧은 메모');
    await context.close();
  });

  it('offers login again when the session expired, without losing what was typed', async () => {
    const context = await newContext();
    const page = await logIn(context, 'lee');
    await page.getByLabel('새 메모').fill('세션이 끝나도 남는 글');
    // The session ends on the server (as after its lifetime or a logout elsewhere).
    const sessions = await redis.keys('{memo:*}:session:*');
    expect(sessions.length).toBeGreaterThan(0);
    await redis.del(...sessions);
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await expect
      .poll(() => status(page))
      .toBe('로그인이 만료되었습니다. 다시 로그인해 주세요. 쓰던 내용은 이 기기에 남아 있습니다.');
    expect(await page.getByLabel('새 메모').inputValue()).toBe('세션이 끝나도 남는 글');
    expect(await memoTexts(page)).toEqual([]);
    await page.getByRole('link', { name: '다시 로그인' }).click();
    await page.getByRole('button', { name: USERS.lee.label, exact: true }).click();
    await page.waitForURL(stack.url);
    await expect.poll(() => page.getByLabel('새 메모').inputValue()).toBe('세션이 끝나도 남는 글');
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await expect.poll(() => memoTexts(page)).toEqual(['세션이 끝나도 남는 글']);
    await expect.poll(() => page.locator('#memos > li.pending').count()).toBe(0);
    // Saved: the draft is gone from the device.
    await page.reload();
    await expect.poll(() => page.locator('#memo-view').isVisible()).toBe(true);
    expect(await page.getByLabel('새 메모').inputValue()).toBe('');
    await context.close();
  });

  it('shows loading, then an error state while Redis is down, and recovers with a retry', async () => {
    // The list request is held below; a service worker's requests are beyond page.route's reach.
    const context = await newContext({ serviceWorkers: 'block' });
    const page = await logIn(context, 'hong');
    let hold: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (hold = resolve));
    await page.route('**/memo', async (route) => {
      await held;
      return route.continue();
    });
    await page.reload();
    await expect.poll(() => page.locator('#loading').isVisible()).toBe(true);
    expect(await page.locator('#loading').textContent()).toBe('메모를 불러오는 중…');
    hold();
    await expect.poll(() => page.locator('#memo-view').isVisible()).toBe(true);
    await page.unroute('**/memo');

    await redisServer.stop();
    try {
      await page.reload();
      await expect.poll(() => page.getByRole('alert').isVisible()).toBe(true);
      expect(await page.locator('#error-text').textContent()).toBe(
        '서비스에 일시적인 문제가 있습니다. 잠시 후 다시 시도해 주세요.',
      );
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, 'error.png') });
    } finally {
      redisServer = await startRedis({ dir: join(dataDir, 'redis'), port: redisServer.port });
    }
    await expect
      .poll(
        async () => {
          if (await page.locator('#retry').isVisible()) await page.locator('#retry').click();
          return page.locator('#memo-view').isVisible();
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    await context.close();
  });

  it('looks right and passes axe on every state: logged out, empty, memos, editing, dark, phone, English', async () => {
    const problems: Record<string, string[]> = {};
    const check = async (name: string, page: Page, shot?: string): Promise<void> => {
      problems[name] = await seriousViolations(page);
      if (shot) await page.screenshot({ path: join(SCREENSHOTS, shot), fullPage: true });
    };

    const guest = await newContext({ viewport: { width: 1000, height: 700 } });
    const out = await guest.newPage();
    await out.goto(stack.url);
    await expect.poll(() => out.locator('#login-view').isVisible()).toBe(true);
    await check('logged out', out, 'logged-out.png');
    await guest.close();

    const light = await newContext({ viewport: { width: 1000, height: 800 }, colorScheme: 'light' });
    const page = await logIn(light, 'kim');
    await expect.poll(() => page.locator('#empty').isVisible()).toBe(true);
    expect(await page.locator('#empty').textContent()).toContain('첫 메모를 남겨 보세요');
    await check('empty', page);
    await seed('kim', ['우유, 계란 사기', '회의 메모\n- 배포 일정 확인\n- https://example.com/plan 참고'], 90);
    await seed('kim', ['오늘 저녁 7시 운동 🏃'], 2);
    await page.reload();
    await expect.poll(() => page.locator('#memos > li').count()).toBe(3);
    await check('memos (light)', page, 'light.png');
    const lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.locator('#memos > li').first().getByRole('button', { name: '메모 수정' }).click();
    await check('editing', page);
    await light.close();

    const dark = await newContext({ viewport: { width: 1000, height: 800 }, colorScheme: 'dark' });
    const darkPage = await logIn(dark, 'kim', false);
    await expect.poll(() => darkPage.locator('#memos > li').count()).toBe(3);
    const darkBg = await darkPage.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(lightBg).toBe('rgb(246, 246, 244)');
    expect(darkBg).toBe('rgb(22, 22, 22)');
    await check('memos (dark)', darkPage, 'dark.png');
    await dark.close();

    const phone = await newContext({
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const phonePage = await logIn(phone, 'kim', false);
    await expect.poll(() => phonePage.locator('#memos > li').count()).toBe(3);
    // Nothing wider than the phone: no sideways scrolling.
    expect(await phonePage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const save = await phonePage.getByRole('button', { name: '저장', exact: true }).boundingBox();
    expect(save?.height ?? 0).toBeGreaterThanOrEqual(40);
    await check('phone', phonePage, 'phone.png');
    await phone.close();

    const english = await newContext({ locale: 'en-US' });
    const enPage = await logIn(english, 'kim', false);
    await expect.poll(() => enPage.locator('#greeting').textContent()).toBe('Hello, 김민지');
    await check('English', enPage);
    await english.close();

    expect(problems).toEqual({
      'logged out': [],
      empty: [],
      'memos (light)': [],
      editing: [],
      'memos (dark)': [],
      phone: [],
      English: [],
    });
  });

  it('keeps the console clean on every normal state: logged out, logged in, writing, a tag, a reload, logout', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    // A logged-out visit asks who is logged in: nobody is not an error (auth/session, 200).
    await page.goto(stack.url);
    await expect.poll(() => page.locator('#login').isVisible()).toBe(true);
    await page.reload();
    await expect.poll(() => page.locator('#login').isVisible()).toBe(true);
    await forgetMemos(redis, USERS.kim.id);
    await page.locator('#login').click();
    await page.getByRole('button', { name: USERS.kim.label, exact: true }).click();
    await page.waitForURL(stack.url);
    await expect.poll(() => page.locator('#memo-view').isVisible()).toBe(true);
    await page.getByLabel('새 메모').fill('깨끗한 콘솔 #확인');
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await expect.poll(() => memoTexts(page)).toEqual(['깨끗한 콘솔 #확인']);
    await page.getByRole('link', { name: '#확인' }).first().click();
    await expect.poll(() => memoTexts(page)).toEqual(['깨끗한 콘솔 #확인']);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(['깨끗한 콘솔 #확인']);
    await page.getByRole('button', { name: '로그아웃' }).click();
    await expect.poll(() => page.locator('#login').isVisible()).toBe(true);
    await page.reload();
    await expect.poll(() => page.locator('#login').isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('caches hashed assets for a year and the HTML never without asking; ships little', async () => {
    const html = await fetch(stack.url, { headers: { 'accept-encoding': 'gzip' } });
    expect(html.headers.get('cache-control')).toBe('no-cache');
    expect(html.headers.get('content-encoding')).toBe('gzip');
    const body = await html.text();
    const assets = [...body.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets).toEqual([
      expect.stringMatching(/^assets\/style\.[0-9a-f]{12}\.css$/) as string,
      expect.stringMatching(/^assets\/app\.[0-9a-f]{12}\.js$/) as string,
    ]);
    for (const asset of assets) {
      const res = await fetch(new URL(asset, stack.url), { headers: { 'accept-encoding': 'gzip' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-encoding')).toBe('gzip');
      // Revalidation costs nothing.
      const again = await fetch(new URL(asset, stack.url), {
        headers: { 'if-none-match': res.headers.get('etag') ?? '' },
      });
      expect(again.status).toBe(304);
    }

    // First visit in a real browser, gzip only (as the note reports it).
    const context = await newContext();
    const page = await context.newPage();
    await page.setExtraHTTPHeaders({ 'accept-encoding': 'gzip' });
    await page.goto(stack.url, { waitUntil: 'load' });
    await expect.poll(() => page.locator('#login-view').isVisible()).toBe(true);
    const weight = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const paint = performance.getEntriesByName('first-contentful-paint')[0];
      const all = [nav, ...resources];
      return {
        requests: all.map((r) => ({
          name: r.name.replace(location.origin, ''),
          transfer: r.transferSize,
          body: r.encodedBodySize,
          decoded: r.decodedBodySize,
        })),
        transferBytes: all.reduce((n, r) => n + r.transferSize, 0),
        bodyBytes: all.reduce((n, r) => n + r.encodedBodySize, 0),
        decodedBytes: all.reduce((n, r) => n + r.decodedBodySize, 0),
        ttfbMs: Math.round(nav.responseStart - nav.startTime),
        domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd - nav.startTime),
        loadMs: Math.round(nav.loadEventEnd - nav.startTime),
        firstContentfulPaintMs: paint ? Math.round(paint.startTime) : null,
      };
    });
    mkdirSync('test-results', { recursive: true });
    writeFileSync(join('test-results', 'page-weight.json'), JSON.stringify(weight, null, 2));
    console.log(`page weight (first visit, gzip): ${JSON.stringify(weight)}`);
    // A budget, not a timing: the first visit (HTML, CSS, JS and the who-am-I call) stays small.
    // 16,000 until Markdown came: marked and DOMPurify, the kept libraries that render memos
    // safely, add ~28 KB gzip (43.8 KB measured with them); docs/decisions.md says why. 48,000
    // until the page was cut into layers (issue 22): the controllers' method and handler names,
    // which a minifier must keep, cost 1.0 KB gzip (script 41.7 → 42.7 KB; all 47.6 → 48.5 KB).
    expect(weight.bodyBytes).toBeLessThan(49_000);
    await context.close();
  });
});

describe.skipIf(!hasBrowser())('Markdown, tasks, folding, the preview and tags', () => {
  /** The stored text of the user's memos, newest first, as Redis holds them. */
  const stored = async (user: User): Promise<string[]> =>
    (await storeOn(redis).list(USERS[user].id, 100)).memos.map((m) => m.text);

  it('renders Markdown but never a memo’s HTML, scripts or javascript: links, and stores the text as written', async () => {
    const context = await newContext();
    const page = await logIn(context, 'kim');
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const text = [
      '# 제목',
      '**굵게** _기울임_ ~~취소~~ `코드`',
      '<script>window.pwned = "script"</script>',
      '<img src="x" onerror="window.pwned = \'img\'">',
      "[눌러 보기](javascript:window.pwned='link') [메일](mailto:a@example.com) [상대](/auth/logout)",
      '![그림](https://example.com/a.png) <a href="javascript:alert(1)">a</a>',
      '> 인용',
    ].join('\n\n');
    await seed('kim', [text]);
    await page.reload();
    const memo = page.locator('#memos > li .memo-text').first();
    await expect.poll(() => memo.locator('strong').first().textContent()).toBe('제목');
    // Inside the memo: formatting, and no element a memo's author wrote.
    expect(await memo.locator('script, img, iframe, h1, [onerror]').count()).toBe(0);
    expect(await memo.locator('em').textContent()).toBe('기울임');
    expect(await memo.locator('del').textContent()).toBe('취소');
    expect(await memo.locator('code').textContent()).toBe('코드');
    expect(await memo.locator('blockquote').textContent()).toContain('인용');
    // Raw HTML is shown as the text it is.
    expect(await memo.innerText()).toContain('<script>window.pwned = "script"</script>');
    expect(await memo.innerText()).toContain('<img src="x" onerror="window.pwned = \'img\'">');
    const links = await memo
      .locator('a')
      .evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('rel')]));
    const rel = 'noopener noreferrer nofollow ugc';
    expect(links).toEqual([
      ['눌러 보기', null, null],
      ['메일', 'mailto:a@example.com', rel],
      ['상대', null, null],
      ['그림', 'https://example.com/a.png', rel],
    ]);
    await memo.getByText('눌러 보기').click();
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as unknown as { pwned?: string }).pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await stored('kim')).toEqual([text]);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'markdown.png'), fullPage: true });
    await context.close();
  });

  it('ticks a task at once and saves it; a refused save unticks it again', async () => {
    const context = await newContext();
    const page = await logIn(context, 'kim');
    await seed('kim', ['장보기\n- [ ] 우유\n- [x] 빵\n  - [ ] 통밀빵\n\n```\n- [ ] 코드 속\n```\n- [ ] 달걀']);
    await page.reload();
    const box = (name: string) => page.getByRole('checkbox', { name: `할 일: ${name}` });
    await expect.poll(() => page.getByRole('checkbox').count()).toBe(4);
    expect(await box('빵').isChecked()).toBe(true);
    await box('우유').check();
    await box('달걀').check();
    await expect
      .poll(() => stored('kim'))
      .toEqual(['장보기\n- [x] 우유\n- [x] 빵\n  - [ ] 통밀빵\n\n```\n- [ ] 코드 속\n```\n- [x] 달걀']);
    await box('통밀빵').check();
    await expect.poll(() => stored('kim').then((t) => t[0]?.includes('  - [x] 통밀빵'))).toBe(true);
    // The server refuses: the box goes back and the text is as before.
    await page.route('**/memo/*', (route) =>
      route.request().method() === 'PUT'
        ? route.fulfill({
            status: 503,
            contentType: 'application/json',
            body: '{"error":{"code":"unavailable","message":"down"}}',
          })
        : route.continue(),
    );
    const before = await stored('kim');
    await box('빵').click();
    await expect.poll(() => box('빵').isChecked()).toBe(true);
    await expect.poll(() => status(page)).toBe(STRINGS.ko.errors.unavailable);
    expect(await stored('kim')).toEqual(before);
    await context.close();
  });

  it('ticks the task that was clicked when the same line stands earlier inside an HTML block (finding 10)', async () => {
    const context = await newContext();
    const page = await logIn(context, 'lee');
    const text = '<div>\n- [ ] 우유\n</div>\n\n- [ ] 우유';
    await seed('lee', [text]);
    await page.reload();
    const boxes = page.getByRole('checkbox');
    await expect.poll(() => boxes.count()).toBe(1);
    await boxes.first().check();
    await expect.poll(() => stored('lee')).toEqual(['<div>\n- [ ] 우유\n</div>\n\n- [x] 우유']);
    await context.close();
  });

  it('folds a long memo behind 더 보기 and previews what is being written', async () => {
    const context = await newContext();
    const page = await logIn(context, 'kim');
    await seed('kim', [Array.from({ length: 30 }, (_, i) => `줄 ${String(i + 1)}`).join('\n'), '짧은 메모']);
    await page.reload();
    const fold = page.locator('#memos .fold');
    await expect.poll(() => fold.getAttribute('aria-expanded')).toBe('false');
    expect(await fold.count()).toBe(1);
    expect(await fold.textContent()).toBe('더 보기');
    const text = page.locator('#memos > li .memo-text.folded');
    const folded = (await text.boundingBox())?.height ?? 0;
    await fold.click();
    await expect.poll(() => fold.getAttribute('aria-expanded')).toBe('true');
    expect(await fold.textContent()).toBe('접기');
    expect(
      (await page.locator(`#${(await fold.getAttribute('aria-controls')) ?? ''}`).boundingBox())?.height ?? 0,
    ).toBeGreaterThan(folded * 1.5);

    const preview = page.getByRole('button', { name: '미리보기' });
    await preview.click();
    expect(await preview.getAttribute('aria-pressed')).toBe('true');
    await page.getByLabel('새 메모').fill('**미리** 보는 #태그 <b>html</b>');
    await expect.poll(() => page.locator('#preview strong').textContent()).toBe('미리');
    expect(await page.locator('#preview b').count()).toBe(0);
    expect(await page.locator('#preview a.tag').textContent()).toBe('#태그');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'preview.png'), fullPage: true });
    await preview.click();
    expect(await page.locator('#preview').isVisible()).toBe(false);
    await context.close();
  });

  it('filters by a #태그 link, lists tags with counts, and renames a tag in every memo', async () => {
    const context = await newContext();
    const page = await logIn(context, 'kim');
    await seed('kim', ['#일 보고서 쓰기', '장보기 #집', '#일/회의 10시', '태그 없는 메모', '#일 메일 답장']);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toHaveLength(5);
    // A tag in a memo is a link that filters, and the address says so.
    await page.locator('#memos > li').first().getByRole('link', { name: '#일' }).click();
    await expect.poll(() => memoTexts(page)).toEqual(['#일 메일 답장', '#일/회의 10시', '#일 보고서 쓰기']);
    expect(new URL(page.url()).searchParams.get('tag')).toBe('일');
    expect(await page.locator('#tag-filter-text').textContent()).toBe('#일 태그가 붙은 메모');
    expect(await seriousViolations(page)).toEqual([]);
    // A reload keeps the filter; back goes to every memo.
    await page.reload();
    await expect.poll(() => memoTexts(page)).toHaveLength(3);
    await page.getByRole('button', { name: '모든 메모 보기' }).click();
    await expect.poll(() => memoTexts(page)).toHaveLength(5);
    await page.goBack();
    await expect.poll(() => memoTexts(page)).toHaveLength(3);
    await page.getByRole('button', { name: '모든 메모 보기' }).click();

    await page.getByText('태그', { exact: true }).click();
    const list = page.locator('#tag-list li');
    await expect
      .poll(() =>
        list.evaluateAll((lis) =>
          lis.map(
            (li) => `${li.querySelector('a')?.textContent ?? ''} ${li.querySelector('.count')?.textContent ?? ''}`,
          ),
        ),
      )
      .toEqual(['#일 3', '#일/회의 1', '#집 1']);
    await page.getByRole('button', { name: '#일 태그 이름 바꾸기' }).click();
    const dialog = page.getByRole('dialog', { name: '#일 태그 이름 바꾸기' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'tags.png'), fullPage: true });
    // Not a tag: said in the dialog, nothing sent.
    await dialog.getByLabel('새 이름').fill('업 무');
    await dialog.getByRole('button', { name: '이름 바꾸기' }).click();
    expect(await dialog.isVisible()).toBe(true);
    await dialog.getByLabel('새 이름').fill('업무');
    await dialog.getByRole('button', { name: '이름 바꾸기' }).click();
    await expect.poll(() => status(page)).toBe('#일 태그를 #업무(으)로 바꿨습니다. (메모 3개)');
    await expect
      .poll(() => memoTexts(page))
      .toEqual(['#업무 메일 답장', '태그 없는 메모', '#업무/회의 10시', '장보기 #집', '#업무 보고서 쓰기']);
    expect(await stored('kim')).toEqual(await memoTexts(page));
    await expect
      .poll(() => list.evaluateAll((lis) => lis.map((li) => li.querySelector('a')?.textContent)))
      .toEqual(['#업무', '#업무/회의', '#집']);
    await context.close();
  });

  it('opens offline with the memos last seen, and sends memos written offline once each, in order, when back online', async () => {
    const context = await newContext();
    const page = await logIn(context, 'hong');
    await seed('hong', ['온라인 메모']);
    await page.reload();
    // The service worker takes the page over, and keeps what the next visit shows.
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(['온라인 메모']);
    expect(await page.evaluate(async () => (await caches.keys()).sort())).toEqual([
      'memo-data',
      expect.stringMatching(/^memo-shell-[0-9a-f]{12}$/) as string,
    ]);
    // Meanwhile another device adds a memo this one cannot know of while offline.
    await seed('hong', ['다른 기기 메모']);
    await context.setOffline(true);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(['온라인 메모']);
    await expect.poll(() => status(page)).toBe('오프라인입니다. 마지막으로 본 메모를 보여 드립니다.');

    // Written offline: shown at once as waiting, kept on the device, nothing sent.
    for (const text of ['오프라인 하나', '오프라인 둘']) {
      await page.getByLabel('새 메모').fill(text);
      await page.getByRole('button', { name: '저장', exact: true }).click();
      await expect.poll(() => memoTexts(page).then((t) => t[0])).toBe(text);
    }
    await expect.poll(() => page.locator('#memos > li.queued').count()).toBe(2);
    expect(await page.locator('#memos > li.queued .pending-state').first().textContent()).toBe(
      '전송 대기 중 · 연결되면 보냅니다',
    );
    expect(await page.getByLabel('새 메모').inputValue()).toBe('');
    expect(await memoCount(redis, USERS.hong.id)).toBe(2);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'offline.png'), fullPage: true });
    // Still waiting after a reload offline.
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(['오프라인 둘', '오프라인 하나', '온라인 메모']);

    // Back online, the first send is stored but its answer is lost on the way: the page sends it
    // again with the same key, and the server adds it once.
    let lost = 0;
    await page.route('**/memo', async (route) => {
      if (route.request().method() !== 'POST' || lost > 0) return route.continue();
      lost += 1;
      await route.fetch();
      return route.abort('internetdisconnected');
    });
    await context.setOffline(false);
    await expect.poll(() => memoCount(redis, USERS.hong.id), { timeout: 10_000 }).toBe(3);
    // The page tries again by itself: at once when it loads the list anew, or a few seconds on.
    await expect.poll(() => page.locator('#memos > li.queued').count(), { timeout: 15_000 }).toBe(0);
    const texts = await stored('hong');
    expect(texts).toEqual(['오프라인 둘', '오프라인 하나', '다른 기기 메모', '온라인 메모']);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(texts);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('memo:outbox:')))).toEqual(
      [],
    );
    // Logging out forgets the memos kept for offline use.
    await page.getByRole('button', { name: '로그아웃' }).click();
    await expect.poll(() => page.evaluate(() => caches.has('memo-data'))).toBe(false);
    await context.close();
  });

  it('shows nothing of one person to the next on a shared device: their copy and draft go when another logs in (finding 4)', async () => {
    // One browser profile on disk, as a family computer has; two people, the first never logs out.
    const profile = mkdtempSync(join(tmpdir(), 'memo-profile-'));
    const context = await launchProfile(profile);
    try {
      await forgetMemos(redis, USERS.kim.id);
      const page = await logIn(context, 'hong');
      await seed('hong', ['홍의 비밀 #일기', '홍의 두 번째']);
      await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
      // Hong looks at a tag and at the list, and leaves a draft in the box.
      await page.goto(`${stack.url}?tag=${encodeURIComponent('일기')}`);
      await expect.poll(() => memoTexts(page)).toEqual(['홍의 비밀 #일기']);
      await page.goto(stack.url);
      await expect.poll(() => memoTexts(page)).toEqual(['홍의 두 번째', '홍의 비밀 #일기']);
      await page.getByLabel('새 메모').fill('홍의 쓰다 만 글');
      // Kim logs in on the same browser, straight through the login link (no 401 on the way).
      await page.goto(`${stack.url}auth/login`);
      await page.getByRole('button', { name: USERS.kim.label, exact: true }).click();
      await page.waitForURL(stack.url);
      await expect.poll(() => page.locator('#memo-view').isVisible()).toBe(true);
      await expect.poll(() => memoTexts(page)).toEqual([]);
      expect(await page.getByLabel('새 메모').inputValue()).toBe('');
      // The worker has kept kim's first page (and only it) for offline use.
      await expect
        .poll(() =>
          page.evaluate(async () =>
            (await (await caches.open('memo-data')).keys()).map((r) => new URL(r.url).pathname.split('/').pop()),
          ),
        )
        .toContain('memo');
      // Offline, the page hong looked at shows nothing of hong's.
      await context.setOffline(true);
      await page.goto(`${stack.url}?tag=${encodeURIComponent('일기')}`).catch(() => undefined);
      await expect.poll(() => page.locator('body').innerText()).not.toContain('홍의');
      await page.goto(stack.url).catch(() => undefined);
      await expect.poll(() => page.locator('#memo-view').isVisible()).toBe(true);
      expect(await page.locator('body').innerText()).not.toContain('홍의');
      // Nothing of hong's is kept on the device: not in the offline copy, not as a draft.
      const kept = await page.evaluate(async () => {
        const texts: string[] = [];
        for (const name of await caches.keys()) {
          if (!name.startsWith('memo-data')) continue;
          const cache = await caches.open(name);
          for (const request of await cache.keys()) texts.push(await ((await cache.match(request))?.text() ?? ''));
        }
        return [...texts, ...Object.keys(localStorage).map((k) => localStorage.getItem(k) ?? '')].join('\n');
      });
      expect(kept).not.toContain('홍의');
      expect(kept).not.toContain(USERS.hong.id);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  it('keeps at most 100 memos waiting on a device: past that, a memo written offline comes back to the box', async () => {
    const context = await newContext();
    const page = await logIn(context, 'lee');
    await page.evaluate((id) => {
      const waiting = Array.from({ length: 100 }, (_, i) => ({
        key: `waiting-${String(i).padStart(8, '0')}`,
        text: `대기 ${String(i)}`,
        createdAt: new Date().toISOString(),
      }));
      localStorage.setItem(`memo:outbox:${id}`, JSON.stringify(waiting));
    }, USERS.lee.id);
    await context.setOffline(true);
    await page.getByLabel('새 메모').fill('자리가 없는 메모');
    await page.getByRole('button', { name: '저장', exact: true }).click();
    await expect
      .poll(() => status(page))
      .toBe('메모를 저장하지 못했습니다. 네트워크에 연결할 수 없습니다. 연결을 확인해 주세요.');
    expect(await page.getByLabel('새 메모').inputValue()).toBe('자리가 없는 메모');
    expect(await page.locator('#memos > li.queued').count()).toBe(0);
    await context.close();
  });
});
