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
  status,
  useUxStack,
} from './ux.js';

/**
 * The archive (보관함) in the browser: 보관 takes a memo off the list; the archive lists it,
 * searches it, shows a tag's archived memos while the list shows that tag, and puts it back at
 * the top; nothing of it stays for the next person on a shared device.
 */

useUxStack();

describe.skipIf(!hasBrowser())('the archive', () => {
  it('takes memos off the list, finds them by search and by tag, and puts one back at the top', async () => {
    const context = await newContext();
    const page = await logIn(context, 'hong');
    await seed('hong', ['제주 여행 준비물 #여행', '회의록 3월 #일', '장보기 목록']);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(['장보기 목록', '회의록 3월 #일', '제주 여행 준비물 #여행']);

    for (const text of ['제주 여행 준비물', '회의록 3월']) {
      await page.locator('#memos > li', { hasText: text }).getByRole('button', { name: '메모 보관' }).click();
      await expect.poll(() => status(page)).toBe('메모를 보관함으로 옮겼습니다.');
    }
    await expect.poll(() => memoTexts(page)).toEqual(['장보기 목록']);
    expect(await redis.zcard(userKeys(USERS.hong.id).archiveAt)).toBe(2);

    // Opened: the last archived first; the search finds in them.
    await page.locator('#archive-panel > summary').click();
    const shown = (): Promise<string[]> =>
      page.locator('#archive-body .shelf-item:not([hidden]) .shelf-text').allInnerTexts();
    await expect.poll(shown).toEqual(['회의록 3월 #일', '제주 여행 준비물 #여행']);
    const body = page.locator('#archive-body');
    expect(await body.innerText()).toContain('보관한 메모는 목록과 태그에서 빠지지만 지워지지 않으며');
    await body.getByRole('searchbox', { name: '보관한 메모 검색' }).fill('제주');
    await expect.poll(shown).toEqual(['제주 여행 준비물 #여행']);
    await body.getByRole('searchbox').fill('없는 말');
    await expect.poll(() => body.innerText()).toContain('검색과 맞는 보관 메모가 없습니다.');
    await body.getByRole('searchbox').fill('');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'archive.png'), fullPage: true });

    // While the list shows a tag, the archive shows that tag's archived memos.
    await page.goto(`${stack.url}?tag=${encodeURIComponent('일')}`);
    await expect.poll(() => page.locator('#tag-filter').isVisible()).toBe(true);
    await page.locator('#archive-panel > summary').click();
    await expect.poll(shown).toEqual(['회의록 3월 #일']);
    expect(await body.innerText()).toContain('#일 태그의 보관한 메모');

    // Put back: at the top of the list, its tag with it.
    await page.getByRole('button', { name: '이 메모 보관 해제: 회의록 3월 #일' }).click();
    await expect.poll(() => status(page)).toBe('보관을 해제했습니다. 목록 맨 위에 있습니다.');
    await expect.poll(() => memoTexts(page)).toEqual(['회의록 3월 #일']);
    await page.locator('#tag-clear').click();
    await expect.poll(() => memoTexts(page)).toEqual(['회의록 3월 #일', '장보기 목록']);
    await expect.poll(shown).toEqual(['제주 여행 준비물 #여행']);

    // English, at phone width.
    await page.setViewportSize({ width: 375, height: 740 });
    await page.locator('#language').click();
    await expect.poll(() => body.innerText()).toContain('Archived memos leave the list and the tags');
    expect(await page.getByRole('button', { name: 'Unarchive this memo: 제주 여행 준비물 #여행' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.locator('#language').click();

    // Deleted from the archive: into the trash, as a delete from the list.
    await page.getByRole('button', { name: '이 메모 삭제: 제주 여행 준비물 #여행' }).click();
    await expect.poll(() => status(page)).toBe('메모를 휴지통으로 옮겼습니다.');
    await expect.poll(() => body.innerText()).toContain('보관한 메모가 없습니다.');
    expect(await redis.zcard(userKeys(USERS.hong.id).trashAt)).toBe(1);
    await context.close();
  });

  it('shows nothing of one person’s archive to the next on a shared device', async () => {
    const context = await newContext();
    const page = await logIn(context, 'kim');
    await seed('kim', ['김의 보관 메모']);
    await page.reload();
    await page.locator('#memos > li').first().getByRole('button', { name: '메모 보관' }).click();
    await page.locator('#archive-panel > summary').click();
    await expect.poll(() => page.locator('#archive-body .shelf-text').allInnerTexts()).toEqual(['김의 보관 메모']);

    await page.getByRole('button', { name: '로그아웃' }).click();
    await expect.poll(() => page.locator('#login-view').isVisible()).toBe(true);
    expect(await page.locator('#archive-body').innerHTML()).toBe('');
    expect(await page.locator('#archive-panel').getAttribute('open')).toBeNull();
    await page.locator('#login').click();
    await page.getByRole('button', { name: USERS.park.label, exact: true }).click();
    await expect.poll(() => page.locator('#memo-view').isVisible()).toBe(true);
    await page.locator('#archive-panel > summary').click();
    await expect.poll(() => page.locator('#archive-body').innerText()).toContain('보관한 메모가 없습니다.');
    expect(await page.content()).not.toContain('김의 보관 메모');
    await context.close();
  });
});
