import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
  useUxStack,
} from './ux.js';

/**
 * Share links (공유) in the browser: a memo's link made in its dialog and marked in the list
 * (🔗 공유 중), opened logged out in a fresh browser (the memo and nothing else of its owner, no cookie, not indexed), an edit showing
 * there, and the link dead once stopped; nothing of one person's links stays for the next on a
 * shared device.
 */

useUxStack();

describe.skipIf(!hasBrowser())('share links', () => {
  it('makes a link, opens it logged out in a fresh browser, shows an edit there, and stops it', async () => {
    const owner = await newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await logIn(owner, 'hong');
    await seed('hong', ['비밀 메모 #비밀', '**회의** 내일 3시 #일정\n\n- [ ] 자료 준비\n- [x] 회의실 예약']);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toHaveLength(2);
    const item = page.locator('#memos > li', { hasText: '내일 3시' });
    await item.getByRole('button', { name: '메모 공유 링크' }).click();
    const dialog = page.getByRole('dialog', { name: '공유 링크' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.innerText()).toContain('공유 중인 메모가 없습니다.');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByLabel('공유 기간').selectOption({ label: '7일' });
    await dialog.getByRole('button', { name: '링크 만들기' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toBe('공유 링크를 만들었습니다.');
    const url = await dialog.getByLabel('이 메모의 링크').inputValue();
    expect(url).toMatch(new RegExp(`^${stack.url}s/[A-Za-z0-9_-]{24}$`));
    expect(await dialog.innerText()).toMatch(/까지 열립니다\./);
    // 복사 puts the address on the clipboard.
    await dialog.getByRole('button', { name: '링크 복사' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toBe('링크를 복사했습니다.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    // Without a clipboard (a plain-http host), the address is selected for the person to copy.
    await page.evaluate(() => {
      Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
    });
    await dialog.getByRole('button', { name: '링크 복사' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toBe('링크를 선택했습니다. 복사해 쓰세요.');
    const field = dialog.getByLabel('이 메모의 링크');
    expect(
      await field.evaluate((el: HTMLInputElement) => el.value.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0)),
    ).toBe(url);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('share-url');
    expect(await dialog.innerText()).toContain('내 공유 링크 (1/100)');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'share-dialog.png') });
    // The list marks the shared memo, and only it.
    const mark = (text: string) => page.locator('#memos > li', { hasText: text }).locator('.share-mark');
    expect(await mark('내일 3시').innerText()).toBe('🔗 공유 중');
    expect(await mark('비밀 메모').count()).toBe(0);
    // English, at phone width (the dialog follows the page's language).
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 375, height: 740 });
    await page.locator('#language').click();
    await expect.poll(() => page.locator('#language').textContent()).toBe('한국어');
    await item.getByRole('button', { name: 'Share link of the memo' }).click();
    const english = page.getByRole('dialog', { name: 'Share link' });
    await expect.poll(() => english.innerText()).toContain('My share links (1/100)');
    expect(await mark('내일 3시').innerText()).toBe('🔗 Shared');
    expect(await english.getByLabel('Link to this memo').inputValue()).toBe(url);
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    // Focus goes back to the button that opened it.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe('Share link of the memo');
    await page.locator('#language').click();
    await expect.poll(() => page.locator('#language').textContent()).toBe('English');
    await page.setViewportSize({ width: 1280, height: 720 });
    // Loaded again (as on another device), the list asks which memos are shared.
    await page.reload();
    await expect.poll(() => mark('내일 3시').count()).toBe(1);
    expect(await page.locator('.share-mark').count()).toBe(1);

    // Logged out, in a browser that never saw the site.
    const stranger = await newContext();
    const view = await stranger.newPage();
    const answer = await view.goto(url);
    expect(answer?.headers()['x-robots-tag']).toBe('noindex, nofollow');
    expect(answer?.headers()['referrer-policy']).toBe('no-referrer');
    const text = view.locator('#shared-text');
    await expect.poll(() => text.innerText()).toContain('내일 3시');
    expect(await text.locator('strong').innerText()).toBe('회의');
    // Tags are plain text; the task boxes show but cannot be ticked.
    expect(await text.locator('a').count()).toBe(0);
    expect(await text.locator('.tag').innerText()).toBe('#일정');
    expect(await text.locator('input[type=checkbox]:disabled').count()).toBe(2);
    const whole = await view.content();
    for (const other of ['비밀 메모', '#비밀', USERS.hong.label, USERS.hong.id]) expect(whole).not.toContain(other);
    expect(await view.locator('meta[name=robots]').getAttribute('content')).toBe('noindex, nofollow');
    expect(await view.locator('#shared-meta').innerText()).toMatch(/작성 · .*까지 공유/);
    expect(await stranger.cookies()).toEqual([]);
    expect(await seriousViolations(view)).toEqual([]);
    await view.screenshot({ path: join(SCREENSHOTS, 'shared.png'), fullPage: true });
    // English, at phone width.
    await view.setViewportSize({ width: 375, height: 740 });
    await view.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => view.locator('footer').innerText()).toContain('A memo shared read only from memo.');
    expect(await seriousViolations(view)).toEqual([]);

    // A link with a chat app's punctuation glued to it opens the same memo.
    await view.goto(`${url}).`);
    await expect.poll(() => text.innerText()).toContain('내일 3시');
    await view.goto(url);

    // An edit shows on the link.
    await page.keyboard.press('Escape');
    await item.getByRole('button', { name: '메모 수정' }).click();
    const area = page.getByLabel('메모 내용 수정');
    await area.fill('**회의** 모레 4시');
    await area.press('Control+Enter');
    await expect.poll(() => memoTexts(page).then((t) => t.some((m) => m.includes('모레 4시')))).toBe(true);
    await view.reload();
    await expect.poll(() => text.innerText()).toContain('모레 4시');

    // Stopped: the link opens nothing, at once.
    await page.locator('#memos > li', { hasText: '모레 4시' }).getByRole('button', { name: '메모 공유 링크' }).click();
    await dialog.getByRole('button', { name: '공유 중지', exact: true }).click();
    await expect
      .poll(() => dialog.getByRole('status').textContent())
      .toBe('공유를 중지했습니다. 링크는 이제 열리지 않습니다.');
    expect(await dialog.innerText()).toContain('공유 중인 메모가 없습니다.');
    expect(await page.locator('.share-mark').count()).toBe(0);
    await view.reload();
    await expect.poll(() => view.locator('#shared-status').innerText()).toContain('이 링크로는 메모를 볼 수 없습니다.');
    expect(await seriousViolations(view)).toEqual([]);
    expect(await text.innerText()).toBe('');
    expect(await redis.hlen(userKeys(USERS.hong.id).shares)).toBe(0);
    expect(await redis.exists(`share:${url.slice(url.lastIndexOf('/') + 1)}`)).toBe(0);
    await stranger.close();
    await owner.close();
  });

  it('shows nothing of one person’s links to the next on a shared device', async () => {
    const context = await newContext();
    const page = await logIn(context, 'kim');
    await seed('kim', ['김의 공유 메모']);
    await page.reload();
    await page.locator('#memos > li').first().getByRole('button', { name: '메모 공유 링크' }).click();
    const dialog = page.getByRole('dialog', { name: '공유 링크' });
    await dialog.getByRole('button', { name: '링크 만들기' }).click();
    const url = await dialog.getByLabel('이 메모의 링크').inputValue();
    await page.keyboard.press('Escape');

    expect(await page.locator('.share-mark').count()).toBe(1);

    await page.getByRole('button', { name: '로그아웃' }).click();
    await expect.poll(() => page.locator('#login-view').isVisible()).toBe(true);
    expect(await page.locator('#share-dialog').innerHTML()).not.toContain('김의 공유 메모');
    await page.locator('#login').click();
    await page.getByRole('button', { name: USERS.park.label, exact: true }).click();
    await expect.poll(() => page.locator('#memo-view').isVisible()).toBe(true);
    await seed('park', ['박의 메모']);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(['박의 메모']);
    expect(await page.locator('.share-mark').count()).toBe(0);
    await page.locator('#memos > li').first().getByRole('button', { name: '메모 공유 링크' }).click();
    await expect.poll(() => dialog.innerText()).toContain('공유 중인 메모가 없습니다.');
    expect(await page.content()).not.toContain(url);
    expect(await page.content()).not.toContain('김의 공유 메모');
    // The link itself still opens for anyone (kim did not stop it), in this browser too.
    await page.goto(url);
    await expect.poll(() => page.locator('#shared-text').innerText()).toBe('김의 공유 메모');
    await context.close();
  });
});
