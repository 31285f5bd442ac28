import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@memo/stack';
import { hasBrowser, launchBrowser } from '@memo/testing/browser';
import { runStack, type StartedStack } from '@memo/testing/stack';
import { personFlow } from '@memo/testing/flows';

/**
 * `npm start` with PUBLIC_URL under a path, as on a shared domain (`https://team.example.com/memos/`):
 * everything is served under it, every request the page and the login make stays under it,
 * the cookies are scoped to it, and nothing answers outside it.
 */

let stack: StartedStack;
let browser: Browser;
let dataDir: string;
let origin: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'memo-subpath-'));
  const port = await freePort();
  origin = `http://localhost:${String(port)}`;
  stack = await runStack({ DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: `${origin}/memos` });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('under a sub-path', () => {
  it('prints the sub-path URL, redirects /memos to /memos/, and answers 404 outside it', async () => {
    expect(stack.url).toBe(`${origin}/memos/`);
    const bare = await fetch(`${origin}/memos?from=link`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/memos/?from=link');
    for (const path of ['/', '/memo', '/auth/me', '/auth/login', '/app.js', '/_naver/oauth2.0/authorize', '/memosx']) {
      const res = await fetch(`${origin}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(404);
      expect(res.headers.getSetCookie(), path).toEqual([]);
    }
    expect((await fetch(`${origin}/memos/`)).status).toBe(200);
    expect((await fetch(`${origin}/memos/memo`)).status).toBe(401);
    // The login's redirects: to the stand-in under the sub-path, with a callback under it.
    const login = await fetch(`${origin}/memos/auth/login`, { redirect: 'manual' });
    const authorize = new URL(login.headers.get('location') ?? '');
    expect(authorize.pathname).toBe('/memos/_naver/oauth2.0/authorize');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${origin}/memos/auth/callback`);
    expect(login.headers.getSetCookie().join('\n')).toMatch(/Path=\/memos\/auth/);
  });

  it.skipIf(!hasBrowser())('logs in, keeps memos and logs out, every request under /memos/', async () => {
    const { outside, cookiePaths } = await personFlow(
      browser,
      `${origin}/memos/`,
      '하위 경로의 메모',
      `${origin}/memos`,
    );
    expect(outside).toEqual([]);
    expect(cookiePaths.length).toBeGreaterThan(0);
    for (const path of cookiePaths) expect(path).toMatch(/^\/memos\//);
  });

  it.skipIf(!hasBrowser())('makes share links under /memos/s/ that open there, logged out', async () => {
    const context = await browser.newContext({ locale: 'ko-KR' });
    const page = await context.newPage();
    await page.goto(`${origin}/memos/`);
    await page.getByRole('link', { name: '네이버 아이디로 로그인' }).click();
    await page.getByRole('button', { name: '홍길동', exact: true }).click();
    await page.waitForURL(`${origin}/memos/`);
    await page.getByLabel('새 메모').fill('하위 경로에서 공유한 메모');
    await page.getByRole('button', { name: '저장' }).click();
    const item = page.locator('#memos > li', { hasText: '하위 경로에서 공유한 메모' });
    await item.getByRole('button', { name: '메모 공유 링크' }).click();
    const dialog = page.getByRole('dialog', { name: '공유 링크' });
    await dialog.getByRole('button', { name: '링크 만들기' }).click();
    const url = await dialog.getByLabel('이 메모의 링크').inputValue();
    expect(url).toMatch(new RegExp(`^${origin}/memos/s/[A-Za-z0-9_-]{24}$`));
    await context.close();

    const stranger = await browser.newContext({ locale: 'en-US' });
    const view = await stranger.newPage();
    const outside: string[] = [];
    view.on('request', (request) => {
      if (!new URL(request.url()).pathname.startsWith('/memos/')) outside.push(request.url());
    });
    await view.goto(url);
    await expect.poll(() => view.locator('#shared-text').innerText()).toBe('하위 경로에서 공유한 메모');
    // English for a browser that prefers it, and the way home stays under the path.
    expect(await view.locator('footer').innerText()).toContain('Start using memo');
    expect(await view.getByRole('link', { name: 'Start using memo' }).evaluate((a: HTMLAnchorElement) => a.href)).toBe(
      `${origin}/memos/`,
    );
    expect(outside).toEqual([]);
    expect(await stranger.cookies()).toEqual([]);
    await stranger.close();
  });

  it.skipIf(!hasBrowser())('keeps its service worker and web app manifest within /memos/', async () => {
    const context = await browser.newContext({ locale: 'ko-KR' });
    const page = await context.newPage();
    await page.goto(`${origin}/memos/`);
    await expect
      .poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.scope ?? ''))
      .toBe(`${origin}/memos/`);
    const manifestUrl = await page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel=manifest]')?.href);
    expect(manifestUrl).toBe(`${origin}/memos/manifest.webmanifest`);
    const manifest = (await (await fetch(manifestUrl ?? '')).json()) as { start_url: string; scope: string };
    expect(new URL(manifest.start_url, manifestUrl).href).toBe(`${origin}/memos/`);
    expect(new URL(manifest.scope, manifestUrl).href).toBe(`${origin}/memos/`);
    // What the worker keeps is under the path too.
    const cached = (): Promise<string[]> =>
      page.evaluate(async () => {
        const name = (await caches.keys()).find((n) => n.startsWith('memo-shell-'));
        return name ? (await (await caches.open(name)).keys()).map((r) => r.url) : [];
      });
    await expect.poll(() => cached().then((urls) => urls.length)).toBeGreaterThan(2);
    const shell = await cached();
    for (const url of shell) expect(url.startsWith(`${origin}/memos/`), url).toBe(true);
    await context.close();
  });
});
