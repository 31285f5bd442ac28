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
 * The trash (휴지통) in the browser: a delete goes there; it is restored at the top, deleted for
 * good, emptied; its code loads the first time it is opened; nothing of it stays for the next
 * person on a shared device.
 */

useUxStack();

describe.skipIf(!hasBrowser())('the trash', () => {
  it('takes a deleted memo, gives it back at the top, deletes for good and empties; loads when first opened', async () => {
    const context = await newContext();
    const page = await logIn(context, 'lee');
    const chunks: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/assets/chunk-')) chunks.push(r.url());
    });
    await seed('lee', ['첫째 #일', '둘째', '셋째']);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(['셋째', '둘째', '첫째 #일']);

    // Two deletes: the second sends the first at once, and itself after its undo window.
    const deletes: number[] = [];
    page.on('response', (r) => {
      if (r.request().method() === 'DELETE') deletes.push(r.status());
    });
    for (const text of ['첫째 #일', '둘째']) {
      await page.locator('#memos > li', { hasText: text }).getByRole('button', { name: '메모 삭제' }).click();
      await expect.poll(() => status(page)).toBe('메모를 휴지통으로 옮겼습니다.');
    }
    await expect.poll(() => deletes, { timeout: 10_000 }).toEqual([204, 204]);
    expect(await memoTexts(page)).toEqual(['셋째']);
    expect(await redis.zcard(userKeys(USERS.lee.id).trashAt)).toBe(2);

    // Opened, the trash loads its code (not before: only the chunk the page preloads came), then
    // the last deleted first.
    const html = await (await fetch(stack.url)).text();
    const preloaded = [...html.matchAll(/rel="modulepreload" href="([^"]+)"/g)].map((m) => `${stack.url}${m[1] ?? ''}`);
    const lazy = (): string[] => chunks.filter((url) => !preloaded.includes(url));
    expect(lazy()).toEqual([]);
    await page.locator('#trash-panel > summary').click();
    const trashed = (): Promise<string[]> => page.locator('#trash-body .shelf-text').allInnerTexts();
    await expect.poll(trashed).toEqual(['둘째', '첫째 #일']);
    expect(lazy().length).toBeGreaterThan(0);
    const body = page.locator('#trash-body');
    expect(await body.innerText()).toContain('지운 메모는 30일 동안 여기 있다가 사라집니다.');
    expect(await body.locator('time').first().innerText()).toBe('방금 전 삭제');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'trash.png'), fullPage: true });

    // Restored: at the top of the list, its tag with it.
    await page.getByRole('button', { name: '이 메모 되살리기: 첫째 #일' }).click();
    await expect.poll(() => memoTexts(page)).toEqual(['첫째 #일', '셋째']);
    await expect.poll(() => status(page)).toBe('메모를 되살렸습니다. 목록 맨 위에 있습니다.');
    await expect.poll(trashed).toEqual(['둘째']);
    await page.locator('#memos > li').first().getByRole('link', { name: '#일' }).click();
    await expect.poll(() => memoTexts(page)).toEqual(['첫째 #일']);
    await page.locator('#tag-clear').click();
    await expect.poll(() => memoTexts(page)).toEqual(['첫째 #일', '셋째']);

    // Deleted for good: gone from the trash and from Redis.
    await page.getByRole('button', { name: '이 메모 영구 삭제: 둘째' }).click();
    await expect.poll(() => body.innerText()).toContain('휴지통이 비어 있습니다.');
    expect(await redis.hlen(userKeys(USERS.lee.id).trash)).toBe(0);

    // Emptied, after saying how many go; English on the way, at phone width.
    await page.setViewportSize({ width: 375, height: 740 });
    await page.locator('#memos > li', { hasText: '셋째' }).getByRole('button', { name: '메모 삭제' }).click();
    await page.locator('#language').click();
    await expect.poll(trashed, { timeout: 10_000 }).toEqual(['셋째']);
    expect(await body.innerText()).toContain('Deleted memos stay here for 30 days');
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.accept();
    });
    await page.getByRole('button', { name: 'Empty the trash' }).click();
    await expect.poll(() => body.innerText()).toContain('The trash is empty.');
    expect(asked).toEqual(['Delete the 1 memos in the trash forever? This cannot be undone.']);
    await expect.poll(() => status(page)).toBe('The trash is empty now.');
    expect(await redis.exists(userKeys(USERS.lee.id).trash)).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.locator('#language').click();
    await context.close();
  });

  it('shows nothing of one person’s trash to the next on a shared device', async () => {
    const context = await newContext();
    const page = await logIn(context, 'kim');
    await seed('kim', ['김의 비밀 메모']);
    await page.reload();
    await page.locator('#memos > li').first().getByRole('button', { name: '메모 삭제' }).click();
    // Opening the trash sends the waiting delete's neighbour… the delete itself goes within 5 s.
    await expect.poll(() => redis.zcard(userKeys(USERS.kim.id).trashAt), { timeout: 10_000 }).toBe(1);
    await page.locator('#trash-panel > summary').click();
    await expect.poll(() => page.locator('#trash-body .shelf-text').allInnerTexts()).toEqual(['김의 비밀 메모']);

    await page.getByRole('button', { name: '로그아웃' }).click();
    await expect.poll(() => page.locator('#login-view').isVisible()).toBe(true);
    expect(await page.locator('#trash-body').innerHTML()).toBe('');
    expect(await page.locator('#trash-panel').getAttribute('open')).toBeNull();
    // The next person, same tab: their own (empty) trash, nothing of kim's.
    await page.locator('#login').click();
    await page.getByRole('button', { name: USERS.park.label, exact: true }).click();
    await expect.poll(() => page.locator('#memo-view').isVisible()).toBe(true);
    expect(await page.content()).not.toContain('김의 비밀 메모');
    await page.locator('#trash-panel > summary').click();
    await expect.poll(() => page.locator('#trash-body').innerText()).toContain('휴지통이 비어 있습니다.');
    expect(await page.content()).not.toContain('김의 비밀 메모');
    await context.close();
  });
});
