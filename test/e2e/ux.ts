import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { startRedis, type LocalRedis } from '@memo/stack';
import { launchBrowser } from '@memo/testing/browser';
import { forgetMemos, storeOn } from '@memo/testing/memos';
import { runStack, type StartedStack } from '@memo/testing/stack';

/**
 * What the page's browser tests share (page-ux, page-states, page-content): a real `npm start`
 * whose Redis the test file owns (so it can take Redis away and bring it back), Chromium, the
 * stand-in's users, and helpers to log in, seed memos and run axe-core. Screenshots go to
 * SCREENSHOT_DIR (the README's: `SCREENSHOT_DIR=docs/screenshots npx vitest run test/e2e/page-*`).
 */

export const USERS = {
  hong: { label: '홍길동', id: 'hGd7Qk2nZ0vXo3mPq8rTs1uVw4yAbCdEfGhIjKlMnOp' },
  kim: { label: '김민지', id: 'kMj5Lp9sRt2uVw6xYz0aBc3dEf7gHi1jKl4mNo8pQr2' },
  lee: { label: '이서준', id: 'lSj3Nq7wEr1tYu5iOp9aSd2fGh6jKl0zXc4vBn8mQw1' },
  park: { label: '박지민 (이름 제공 안 함)', id: 'pJm1Aa2Bb3Cc4Dd5Ee6Ff7Gg8Hh9Ii0Jj1Kk2Ll3Mm4' },
} as const;
export type User = keyof typeof USERS;

export const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? join('test-results', 'screenshots');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export let stack: StartedStack;
export let browser: Browser;
export let redisServer: LocalRedis;
export let redis: Redis;
let dataDir: string;

/** Starts the stack, its Redis and Chromium before the file's tests, and stops them after. */
export function useUxStack(): void {
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
}

/** Redis again where it was, after a test stopped it (the service must recover). */
export async function restartRedis(): Promise<void> {
  redisServer = await startRedis({ dir: join(dataDir, 'redis'), port: redisServer.port });
}

export async function newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ locale: 'ko-KR', timezoneId: 'Asia/Seoul', ...options });
}

export async function logIn(context: BrowserContext, user: User, fresh = true): Promise<Page> {
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
export async function seed(user: User, texts: string[], minutesAgo = 0): Promise<void> {
  const now = Date.now() - minutesAgo * 60_000;
  const store = storeOn(redis);
  for (const [i, text] of texts.entries()) {
    await store.add(USERS[user].id, text, new Date(now - (texts.length - i) * 1000));
  }
}

export const memoTexts = (page: Page): Promise<string[]> =>
  page.locator('#memos > li:visible .memo-text').allInnerTexts();
export const status = (page: Page): Promise<string | null> => page.locator('#status').textContent();

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core in the page (evaluated over DevTools, so the page's CSP stays as it is). */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } };
    return (await w.axe.run()).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact ?? ''}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
