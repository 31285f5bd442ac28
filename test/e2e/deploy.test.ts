import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type ServiceHandle } from '@memo/common';
import { freePort } from '@memo/stack';
import { buildWebService } from '../../services/web-service/src/app.js';
import { PAGE_FILES, loadPageAssets, type PageAssets } from '../../services/web-service/src/assets.js';
import { hasBrowser, launchBrowser, launchProfile } from '@memo/testing/browser';

/**
 * Installing the page, and a new deploy as a browser that has it meets it: web-service with one build,
 * then, on the same address, with another whose script differs. The next visit gets the new
 * page, a new service worker replaces the old one, the old deploy's cache is gone, and offline
 * the page opens as the new deploy.
 */

let browser: Browser;
let dir: string;
let port: number;
let web: ServiceHandle | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), 'memo-deploy-'));
  port = await freePort();
});
afterAll(async () => {
  await web?.close();
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The page as built, or with a script that differs by a comment: another deploy. The chunks
 * and the list of those the script imports at once go beside it, as the build lays them out.
 */
function build(n: number): PageAssets {
  const built = dirname(PAGE_FILES.js);
  for (const file of readdirSync(built)) {
    if (file.startsWith('chunk-') || file === 'app.json') copyFileSync(join(built, file), join(dir, file));
  }
  const js = join(dir, `app-${String(n)}.js`);
  writeFileSync(js, `${readFileSync(PAGE_FILES.js, 'utf8')}\n/* deploy ${String(n)} */\n`);
  return loadPageAssets({ ...PAGE_FILES, js });
}

async function serve(assets: PageAssets): Promise<void> {
  await web?.close();
  const env = { ...process.env, HOST: '127.0.0.1', PORT: String(port), ADMIN_PORT: '0', LOG_LEVEL: 'silent' };
  web = await startService(buildWebService(env, assets));
}

describe.skipIf(!hasBrowser())('a new deploy', () => {
  it('replaces the installed page’s files and its cache, also for offline use', async () => {
    const one = build(1);
    const two = build(2);
    expect(two.script).not.toBe(one.script);
    await serve(one);
    const context = await browser.newContext({ locale: 'ko-KR' });
    const page = await context.newPage();
    const origin = `http://127.0.0.1:${String(port)}`;
    const shells = (): Promise<string[]> =>
      page.evaluate(async () => (await caches.keys()).filter((n) => n.startsWith('memo-shell-')));
    const cachedScripts = (): Promise<string[]> =>
      page.evaluate(async () => {
        const [name] = (await caches.keys()).filter((n) => n.startsWith('memo-shell-'));
        const keys = name ? await (await caches.open(name)).keys() : [];
        return keys.map((r) => new URL(r.url).pathname).filter((p) => p.startsWith('/assets/app.'));
      });
    const loadedScript = (): Promise<string> =>
      page.evaluate(
        () => new URL(document.querySelector<HTMLScriptElement>('script[type=module]')?.src ?? '').pathname,
      );

    await page.goto(`${origin}/`);
    await expect.poll(() => cachedScripts(), { timeout: 10_000 }).toEqual([one.script]);
    const first = await shells();
    expect(first).toHaveLength(1);

    await serve(two);
    await page.reload();
    expect(await loadedScript()).toBe(two.script);
    await expect.poll(() => cachedScripts(), { timeout: 10_000 }).toEqual([two.script]);
    // The old deploy's cache goes when the new worker activates, which may come a moment after
    // the new cache is filled (CI saw both for an instant): wait for it to go.
    await expect.poll(() => shells(), { timeout: 10_000 }).toHaveLength(1);
    const second = await shells();
    expect(second).not.toEqual(first);

    // Offline, the page that opens is the new deploy's, whole.
    await context.setOffline(true);
    await page.reload();
    expect(await loadedScript()).toBe(two.script);
    await expect.poll(() => page.locator('#error-view').isVisible()).toBe(true);
    expect(await page.locator('#error-text').textContent()).toBe(
      '네트워크에 연결할 수 없습니다. 연결을 확인해 주세요.',
    );
    await context.close();
  });

  it('is installable: Chromium, with a profile of its own, finds nothing missing', async () => {
    await serve(build(3));
    const profile = await launchProfile(join(dir, 'profile'));
    try {
      const page = await profile.newPage();
      await page.goto(`http://127.0.0.1:${String(port)}/`);
      await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistration())?.active != null);
      await page.reload();
      const cdp = await profile.newCDPSession(page);
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      expect(installabilityErrors).toEqual([]);
      const { errors, url } = await cdp.send('Page.getAppManifest');
      expect(errors).toEqual([]);
      expect(url).toBe(`http://127.0.0.1:${String(port)}/manifest.webmanifest`);
    } finally {
      await profile.close();
    }
  });
});
