import type { Browser } from 'playwright-core';
import { expect } from 'vitest';

/**
 * What a person does, in Chromium: open `entry` (the site, or its path without the slash),
 * log in with the stand-in as 홍길동, write `text`, reload and find it, then log out. Returns the
 * paths of this origin the page asked for outside `base` (the site's path), and the cookies'
 * paths while logged in.
 */
export async function personFlow(
  browser: Browser,
  site: string,
  text: string,
  entry = site,
): Promise<{ outside: string[]; cookiePaths: string[] }> {
  const { origin, pathname: base } = new URL(site);
  const context = await browser.newContext({ locale: 'ko-KR' });
  const page = await context.newPage();
  const outside: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    // (A visit to the path without its slash is redirected to it.)
    if (url.origin === origin && !url.pathname.startsWith(base) && `${url.pathname}/` !== base)
      outside.push(url.pathname);
  });
  await page.goto(entry);
  await page.getByRole('link', { name: '네이버 아이디로 로그인' }).click();
  await page.getByRole('button', { name: '홍길동', exact: true }).click();
  await page.waitForURL(site);
  await expect.poll(() => page.locator('#greeting').textContent()).toBe('홍길동님 안녕하세요');
  await page.getByLabel('새 메모').fill(text);
  const saved = page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === `${site}memo`);
  await page.getByRole('button', { name: '저장' }).click();
  expect((await saved).status()).toBe(201);
  await page.reload();
  await expect.poll(() => page.locator('#memos > li .memo-text').allInnerTexts()).toContain(text);
  const cookiePaths = (await context.cookies()).map((c) => c.path);
  await page.getByRole('button', { name: '로그아웃' }).click();
  await expect.poll(() => page.getByRole('link', { name: '네이버 아이디로 로그인' }).isVisible()).toBe(true);
  expect((await context.cookies()).filter((c) => c.name === 'userId')).toEqual([]);
  await context.close();
  return { outside, cookiePaths };
}

/** Every memo text `cookie`'s person has, read page by page through the site's `GET /memo`. */
export async function storedTexts(site: string, cookie: string): Promise<Set<string>> {
  const stored = new Set<string>();
  let cursor: string | null = null;
  do {
    const url = new URL(`memo?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, site);
    const page = (await (await fetch(url, { headers: { cookie } })).json()) as {
      memos: { text: string }[];
      nextCursor: string | null;
    };
    for (const memo of page.memos) stored.add(memo.text);
    cursor = page.nextCursor;
  } while (cursor);
  return stored;
}
