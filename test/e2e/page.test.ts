import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBrowser, launchBrowser } from '@memo/testing/browser';
import { legacyId } from '@memo/store';
import { forgetMemos, memoCount, storeOn } from '@memo/testing/memos';
import { runStack, type StartedStack } from '@memo/testing/stack';

/** What a person does, in headless Chromium, through the gateway of a real `npm start`. */

const KIM = 'kMj5Lp9sRt2uVw6xYz0aBc3dEf7gHi1jKl4mNo8pQr2';
let stack: StartedStack;
let browser: Browser;
let redis: Redis;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'memo-e2e-'));
  stack = await runStack({ DATA_DIR: dataDir });
  redis = new Redis(stack.addresses.get('redis') ?? '');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
  redis.disconnect();
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function logIn(context: BrowserContext, user: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(stack.url);
  await page.getByRole('link', { name: '네이버 아이디로 로그인' }).click();
  await page.getByRole('button', { name: user, exact: true }).click();
  await page.waitForURL(stack.url);
  return page;
}

const memoTexts = (page: Page): Promise<string[]> => page.locator('#memos > li .memo-text').allInnerTexts();

describe.skipIf(!hasBrowser())('the page', () => {
  it('logs in with Naver, keeps memos across reloads, edits, deletes, and logs out for real', async () => {
    const context = await browser.newContext({ locale: 'ko-KR' });
    const page = await logIn(context, '홍길동');
    await expect.poll(() => page.locator('#greeting').textContent()).toBe('홍길동님 안녕하세요');
    await expect.poll(() => page.locator('#empty').isVisible()).toBe(true);

    const text = '첫 메모 🙂 <b>굵게</b>\n둘째 줄';
    await page.getByLabel('새 메모').fill(text);
    await page.getByRole('button', { name: '저장' }).click();
    await expect.poll(() => memoTexts(page)).toEqual([text]);
    // Shown as text, never as HTML.
    expect(await page.locator('#memos b').count()).toBe(0);

    await page.getByLabel('새 메모').fill('두 번째 메모');
    await page.getByLabel('새 메모').press('Control+Enter');
    await expect.poll(() => memoTexts(page)).toEqual(['두 번째 메모', text]);

    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(['두 번째 메모', text]);

    const first = page.locator('#memos > li').first();
    await first.getByRole('button', { name: '메모 수정' }).click();
    await first.getByLabel('메모 내용 수정').fill('고친 메모');
    await first.getByRole('button', { name: '저장' }).click();
    await expect.poll(() => memoTexts(page)).toEqual(['고친 메모', text]);

    // Deleting hides the memo at once and offers an undo; the request goes when the undo window closes.
    await page.locator('#memos > li').first().getByRole('button', { name: '메모 삭제' }).click();
    await expect.poll(() => memoTexts(page)).toEqual([text]);
    await page.getByRole('button', { name: '실행 취소' }).click();
    await expect.poll(() => memoTexts(page)).toEqual(['고친 메모', text]);
    const deleted = page.waitForResponse((r) => r.request().method() === 'DELETE', { timeout: 10_000 });
    await page.locator('#memos > li').first().getByRole('button', { name: '메모 삭제' }).click();
    await expect.poll(() => memoTexts(page)).toEqual([text]);
    expect((await deleted).status()).toBe(204);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual([text]);

    const cookie = (await context.cookies()).find((c) => c.name === 'userId');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    await page.getByRole('button', { name: '로그아웃' }).click();
    await expect.poll(() => page.getByRole('link', { name: '네이버 아이디로 로그인' }).isVisible()).toBe(true);
    await page.reload();
    await expect.poll(() => page.getByRole('link', { name: '네이버 아이디로 로그인' }).isVisible()).toBe(true);

    // The old cookie, replayed by hand, is refused.
    const replay = { headers: { cookie: `userId=${cookie?.value ?? ''}` } };
    expect((await fetch(new URL('memo', stack.url), replay)).status).toBe(401);
    expect((await fetch(new URL('auth/me', stack.url), replay)).status).toBe(401);
    await context.close();
  });

  it('asks once, in words, a person who declined to share their name, and can send them back to consent', async () => {
    const context = await browser.newContext({ locale: 'ko-KR' });
    const page = await logIn(context, '정보 제공 안 함');
    await expect.poll(() => page.locator('#greeting').textContent()).toBe('네이버 사용자님 안녕하세요');
    const ask = page.getByRole('region', { name: /이름 제공에 동의하지 않아/ });
    await expect.poll(() => ask.isVisible()).toBe(true);
    // It never stands in the way.
    await page.getByLabel('새 메모').fill('이름 없이도 메모');
    await page.getByRole('button', { name: '저장' }).click();
    await expect.poll(() => memoTexts(page).then((t) => t.includes('이름 없이도 메모'))).toBe(true);

    await ask.getByRole('link', { name: '이름 공유에 동의하기' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('auth_type')).toBe('reprompt');
    await expect.poll(() => page.locator('#reprompt').isVisible()).toBe(true);
    await page.goto(stack.url);
    await expect.poll(() => page.locator('#greeting').textContent()).toBe('네이버 사용자님 안녕하세요');
    // Asked once: not again on this device.
    expect(await ask.isVisible()).toBe(false);
    await context.close();
  });

  it('exports the memos, and importing the file after deleting them brings the same memos back', async () => {
    const context = await browser.newContext({ locale: 'ko-KR', acceptDownloads: true });
    const page = await logIn(context, '박지민 (이름 제공 안 함)');
    for (const text of ['내보낼 메모 하나', '내보낼 메모 둘\n두 줄']) {
      await page.getByLabel('새 메모').fill(text);
      const saved = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/memo'));
      await page.getByRole('button', { name: '저장' }).click();
      expect((await saved).status()).toBe(201);
    }
    await page.reload();
    const before = ['내보낼 메모 둘\n두 줄', '내보낼 메모 하나'];
    await expect.poll(() => memoTexts(page)).toEqual(before);

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: '내보내기 (JSON)' }).click();
    const file = join(dataDir, 'export.json');
    await (await download).saveAs(file);
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { version: number; memos: { id: string }[] };
    expect(exported.version).toBe(1);
    for (const memo of exported.memos) {
      expect((await page.request.delete(new URL(`memo/${memo.id}`, stack.url).toString())).status()).toBe(204);
    }
    await page.reload();
    await expect.poll(() => page.locator('#empty').isVisible()).toBe(true);

    await page.getByRole('button', { name: '가져오기' }).click();
    await page.locator('#import-file').setInputFiles(file);
    await expect.poll(() => page.locator('#status').textContent()).toContain('메모 2개를 가져왔습니다');
    await expect.poll(() => memoTexts(page)).toEqual(before);
    await context.close();
  });

  it('pins a memo from the keyboard: it leads the list, every memo still shows once across pages', async () => {
    const context = await browser.newContext({ locale: 'ko-KR' });
    const page = await logIn(context, '최오래 (예전 앱의 숫자 id)');
    await forgetMemos(redis, '12345678');
    await storeOn(redis).add('12345678', '가장 오래된 메모');
    for (let i = 1; i <= 24; i++) await storeOn(redis).add('12345678', `메모 ${String(i)}`);
    await page.reload();
    await expect.poll(() => memoTexts(page).then((t) => t.length)).toBe(20);
    await page.getByRole('button', { name: '더 보기' }).click();
    await expect.poll(() => memoTexts(page).then((t) => t.length)).toBe(25);
    const oldest = page.locator('#memos > li', { hasText: '가장 오래된 메모' });
    await oldest.getByRole('button', { name: '메모를 맨 위에 고정' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => memoTexts(page).then((t) => t[0])).toBe('가장 오래된 메모');
    await expect.poll(() => page.locator('#status').textContent()).toBe('메모를 맨 위에 고정했습니다.');
    expect(await page.locator('#memos > li.pinned .pin-mark').textContent()).toBe('📌 고정됨');
    await page.reload();
    await expect.poll(() => memoTexts(page).then((t) => t[0])).toBe('가장 오래된 메모');
    await page.getByRole('button', { name: '더 보기' }).click();
    await expect.poll(() => memoTexts(page).then((t) => t.length)).toBe(25);
    const texts = await memoTexts(page);
    expect(new Set(texts).size).toBe(25);
    expect(texts.slice(1, 4)).toEqual(['메모 24', '메모 23', '메모 22']);
    await page.locator('#memos > li.pinned').getByRole('button', { name: '메모 고정 해제' }).click();
    await expect.poll(() => memoTexts(page).then((t) => t[0])).toBe('메모 24');
    await context.close();
  });

  it("shows the login button in Naver's colours with the N mark, its label large enough for 3.1:1", async () => {
    const context = await browser.newContext({ locale: 'ko-KR' });
    const page = await context.newPage();
    await page.goto(stack.url);
    const button = page.getByRole('link', { name: '네이버 아이디로 로그인' });
    await expect.poll(() => button.isVisible()).toBe(true);
    const style = await button.evaluate((el) => {
      const css = getComputedStyle(el);
      return { bg: css.backgroundColor, color: css.color, weight: css.fontWeight, size: parseFloat(css.fontSize) };
    });
    expect(style.bg).toBe('rgb(3, 169, 77)');
    expect(style.color).toBe('rgb(255, 255, 255)');
    // WCAG "large text": bold at 14 pt (18.67 px) or more, where 3:1 is enough.
    expect(Number(style.weight)).toBeGreaterThanOrEqual(700);
    expect(style.size).toBeGreaterThanOrEqual(18.67);
    expect(await button.locator('svg path').count()).toBe(1);
    expect(await button.locator('svg').getAttribute('aria-hidden')).toBe('true');
    await context.close();
  });

  it('deletes the account after a confirmation that names what goes, and links the privacy notice', async () => {
    const context = await browser.newContext({ locale: 'ko-KR' });
    const page = await logIn(context, '이서준');
    for (const text of ['하나', '둘', '셋']) {
      await page.getByLabel('새 메모').fill(text);
      await page.getByRole('button', { name: '저장' }).click();
      await expect.poll(() => memoTexts(page).then((t) => t.includes(text))).toBe(true);
    }
    await page.reload();
    await expect.poll(() => memoTexts(page).then((t) => t.length)).toBe(3);
    const id = ((await (await page.request.get(new URL('auth/me', stack.url).toString())).json()) as { id: string }).id;

    // The notice is one click away, in Korean first.
    const notice = await context.newPage();
    await notice.goto(stack.url);
    await notice.getByRole('link', { name: '개인정보 처리방침' }).click();
    await expect.poll(() => notice.getByRole('heading', { name: '개인정보 처리방침' }).isVisible()).toBe(true);
    await notice.close();

    // Cancelling changes nothing.
    await page.getByRole('button', { name: '회원 탈퇴' }).click();
    const dialog = page.getByRole('dialog', { name: '회원 탈퇴' });
    await expect.poll(() => dialog.textContent()).toContain('메모 3개');
    await dialog.getByRole('button', { name: '취소' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await memoCount(redis, id)).toBe(3);

    await page.getByRole('button', { name: '회원 탈퇴' }).click();
    await dialog.getByRole('button', { name: '탈퇴하고 모두 삭제' }).click();
    await expect.poll(() => page.getByRole('link', { name: '네이버 아이디로 로그인' }).isVisible()).toBe(true);
    await expect.poll(() => page.locator('#status').textContent()).toBe('탈퇴했습니다. 모든 정보를 삭제했습니다.');
    expect(await memoCount(redis, id)).toBe(0);
    expect(await redis.exists(`user:${id}`)).toBe(0);
    expect((await context.cookies()).filter((c) => c.name === 'userId')).toEqual([]);
    await context.close();
  });

  it('shows memos the original app stored, and edits and deletes them', async () => {
    // The original's data: plain strings in memo:<userId>, newest first (LPUSH).
    await forgetMemos(redis, KIM);
    await redis.lpush(`memo:${KIM}`, '예전 메모 하나', '예전 메모 둘', '예전 메모 셋');
    const context = await browser.newContext({ locale: 'ko-KR' });
    const page = await logIn(context, '김민지');
    await expect.poll(() => memoTexts(page)).toEqual(['예전 메모 셋', '예전 메모 둘', '예전 메모 하나']);

    const second = page.locator('#memos > li').nth(1);
    await second.getByRole('button', { name: '메모 수정' }).click();
    await second.getByLabel('메모 내용 수정').fill('예전 메모 둘 (고침)');
    await second.getByRole('button', { name: '저장' }).click();
    await expect.poll(() => memoTexts(page)).toEqual(['예전 메모 셋', '예전 메모 둘 (고침)', '예전 메모 하나']);
    const deleted = page.waitForResponse((r) => r.request().method() === 'DELETE', { timeout: 10_000 });
    await page.locator('#memos > li').first().getByRole('button', { name: '메모 삭제' }).click();
    expect((await deleted).status()).toBe(204);
    await page.reload();
    await expect.poll(() => memoTexts(page)).toEqual(['예전 메모 둘 (고침)', '예전 메모 하나']);
    // The untouched one keeps the id the original's text gives it.
    expect((await storeOn(redis).list(KIM, 10)).memos[1]).toMatchObject({
      id: legacyId('예전 메모 하나'),
      text: '예전 메모 하나',
    });
    await context.close();
  });

  it('returns the person to the page with a reason when they cancel at Naver', async () => {
    const context = await browser.newContext({ locale: 'ko-KR' });
    const page = await context.newPage();
    await page.goto(stack.url);
    await page.getByRole('link', { name: '네이버 아이디로 로그인' }).click();
    await page.getByRole('button', { name: '취소 (동의하지 않음)' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('네이버 로그인을 취소했습니다.');
    expect(new URL(page.url()).search).toBe('');
    await expect.poll(() => page.getByRole('link', { name: '네이버 아이디로 로그인' }).isVisible()).toBe(true);
    await context.close();
  });

  it('explains a Naver failure in words', async () => {
    const context = await browser.newContext({ locale: 'ko-KR' });
    const page = await context.newPage();
    await page.goto(stack.url);
    await page.getByRole('link', { name: '네이버 아이디로 로그인' }).click();
    await page.getByText('실패 시나리오').click();
    await page.getByRole('button', { name: '프로필 인증 실패 (401, 024)' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe('네이버 로그인에 실패했습니다. 다시 시도해 주세요.');
    await context.close();
  });

  it('tells the person when a memo is empty, without a request that stores anything', async () => {
    const context = await browser.newContext({ locale: 'ko-KR' });
    const page = await logIn(context, '이서준');
    await page.getByLabel('새 메모').fill('   ');
    await page.getByRole('button', { name: '저장' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('메모 내용을 입력하세요.');
    expect(await memoTexts(page)).toEqual([]);
    await context.close();
  });
});
