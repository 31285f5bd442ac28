import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { userKeys } from '@memo/store';
import { hasBrowser } from '@memo/testing/browser';
import {
  SCREENSHOTS,
  USERS,
  logIn,
  memoTexts,
  newContext,
  redis,
  seed,
  seriousViolations,
  stack,
  status,
  useUxStack,
} from './ux.js';

/**
 * A memo's history (편집 기록) in the browser: each edit keeps the text it replaced; the history
 * shows what each edit changed, Korean included; a version is made the text again; the
 * history is forgotten; its code loads the first time it is opened; nothing of it stays for
 * the next person on a shared device.
 */

useUxStack();

/** Edits the memo that shows `was` into `text`, through its edit form. */
async function edit(page: Page, was: string, text: string): Promise<void> {
  await page
    .locator('#memos > li', { hasText: was })
    .getByRole('button', { name: /^(메모 수정|Edit memo)$/ })
    .click();
  const area = page.getByLabel(/^(메모 내용 수정|Edit the memo)$/);
  await area.fill(text);
  await area.press('Control+Enter');
  await expect.poll(() => memoTexts(page).then((t) => t.includes(text))).toBe(true);
}

/** What each version of the open history marks: removed words as [-…-], added ones as {+…+}. */
const diffs = (page: Page): Promise<string[]> =>
  page.locator('#history-dialog .diff').evaluateAll((ps) =>
    ps.map((p) =>
      [...p.childNodes]
        .map((n) => {
          if (n.nodeType === Node.TEXT_NODE) return n.textContent;
          const el = n as HTMLElement;
          const text = [...el.childNodes]
            .filter((c) => c.nodeType === Node.TEXT_NODE)
            .map((c) => c.textContent)
            .join('');
          return el.tagName === 'DEL' ? `[-${text}-]` : `{+${text}+}`;
        })
        .join(''),
    ),
  );

describe.skipIf(!hasBrowser())('a memo’s history', () => {
  it('shows what each edit changed, restores a version as an edit, forgets; loads when first opened', async () => {
    const context = await newContext();
    const page = await logIn(context, 'lee');
    const chunks: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/assets/chunk-')) chunks.push(r.url());
    });
    await seed('lee', ['사과를 샀다 #장보기', '다른 메모']);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(['다른 메모', '사과를 샀다 #장보기']);
    // Only an edited memo offers its history.
    expect(await page.getByRole('button', { name: '편집 기록 보기' }).count()).toBe(0);
    await edit(page, '사과를 샀다', '사과는 샀다 #장보기');
    await edit(page, '사과는 샀다', '사과는 두 개 샀다 #장보기');
    expect(await page.getByRole('button', { name: '편집 기록 보기' }).count()).toBe(1);

    // Opened, the history loads its code (not before), and shows each version, the newest
    // first, with what the edit after it changed: a particle, then two words.
    const html = await (await fetch(stack.url)).text();
    const preloaded = [...html.matchAll(/rel="modulepreload" href="([^"]+)"/g)].map((m) => `${stack.url}${m[1] ?? ''}`);
    const lazy = (): string[] => chunks.filter((url) => !preloaded.includes(url));
    expect(lazy()).toEqual([]);
    const opener = page.getByRole('button', { name: '편집 기록 보기' });
    await opener.click();
    const dialog = page.locator('#history-dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(lazy().length).toBeGreaterThan(0);
    expect(await dialog.locator('h3').allInnerTexts()).toEqual(['2번째 버전', '1번째 버전']);
    expect(await diffs(page)).toEqual(['사과는 {+두 개 +}샀다 #장보기', '사과[-를-]{+는+} 샀다 #장보기']);
    // Screen readers hear which words went and which came.
    expect(await dialog.locator('ins .visually-hidden').first().textContent()).toBe('[추가됨] ');
    expect(await dialog.locator('del .visually-hidden').first().textContent()).toBe('[삭제됨] ');
    expect(await dialog.innerText()).toContain('메모마다 최근 20개까지 보관합니다');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'history.png') });

    // Version 1 restored: the memo shows it, as an edit (the text it replaced is kept too).
    await dialog.getByRole('button', { name: '1번째 버전으로 되돌리기' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect.poll(() => memoTexts(page)).toEqual(['다른 메모', '사과를 샀다 #장보기']);
    await expect.poll(() => status(page)).toBe('이전 버전으로 되돌렸습니다. 되돌리기 전 내용은 기록에 남아 있습니다.');
    // Focus is back on the memo's history button.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('편집 기록 보기');
    const key = userKeys(USERS.lee.id).history;
    expect(await redis.hlen(key)).toBe(1 + 3);

    // In English at phone width: the words follow; cleared after a confirm, with nothing left.
    await page.setViewportSize({ width: 375, height: 740 });
    await page.locator('#language').click();
    await page.getByRole('button', { name: 'Show edit history' }).click();
    await expect.poll(() => dialog.locator('h3').allInnerTexts()).toEqual(['Version 3', 'Version 2', 'Version 1']);
    expect(await dialog.innerText()).toContain('Edit history');
    expect(await seriousViolations(page)).toEqual([]);
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.accept();
    });
    await dialog.getByRole('button', { name: 'Clear history' }).click();
    await expect.poll(() => dialog.innerText()).toContain('No earlier versions.');
    expect(asked).toEqual(['Clear the 3 earlier versions of this memo? This cannot be undone.']);
    expect(await redis.exists(key)).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await page.locator('#language').click();
    await context.close();
  });

  it('shows nothing of one person’s history to the next on a shared device', async () => {
    const context = await newContext();
    const page = await logIn(context, 'kim');
    await seed('kim', ['김의 첫 내용']);
    await page.reload();
    await edit(page, '김의 첫 내용', '김의 지금 내용');
    await page.getByRole('button', { name: '편집 기록 보기' }).click();
    const dialog = page.locator('#history-dialog');
    await expect.poll(() => diffs(page)).toEqual(['김의 [-첫-]{+지금+} 내용']);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    // Emptied when it closes (the close event comes a moment after the dialog is hidden).
    await expect.poll(() => dialog.innerHTML()).toBe('');

    await page.getByRole('button', { name: '로그아웃' }).click();
    await expect.poll(() => page.locator('#login-view').isVisible()).toBe(true);
    await page.locator('#login').click();
    await page.getByRole('button', { name: USERS.park.label, exact: true }).click();
    await expect.poll(() => page.locator('#memo-view').isVisible()).toBe(true);
    expect(await page.content()).not.toContain('김의');
    await context.close();
  });
});
