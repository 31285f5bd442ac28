import { describe, expect, it } from 'vitest';
import { hasBrowser } from '@memo/testing/browser';
import { logIn, memoTexts, newContext, seed, stack, status, useUxStack } from './ux.js';

/** The page as people use it: languages, times, writing, links, search and paging, the keyboard. */

useUxStack();

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

    // Keyboard: Tab reaches the language switch, logout, the box, preview, save, search, tags, the archive, the trash, and each memo's buttons (pin, edit, share, archive, delete), with focus visible.
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    const reached: string[] = [];
    for (let i = 0; i < 15; i += 1) {
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
    expect(reached.slice(0, 11)).toEqual([
      'button:language:solid',
      'button:logout:solid',
      'textarea:text:solid',
      'button:preview-toggle:solid',
      'button:save:solid',
      'input:search:solid',
      'summary:태그:solid',
      'summary:보관함:solid',
      'summary:휴지통:solid',
      'button:메모를 맨 위에 고정:solid',
      'button:메모 수정:solid',
    ]);
    // Enter on a memo's edit button edits in place; Escape puts it back; focus returns.
    expect(reached[11]).toBe('button:메모 공유 링크:solid');
    expect(reached[12]).toBe('button:메모 보관:solid');
    expect(reached[13]).toBe('button:메모 삭제:solid');
    expect(reached[14]).toBe('button:메모를 맨 위에 고정:solid');
    for (let i = 0; i < 4; i += 1) await page.keyboard.press('Shift+Tab');
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
});
