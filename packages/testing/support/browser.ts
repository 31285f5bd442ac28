import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { inject } from 'vitest';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function executablePath(): string {
  const path = inject('chromium');
  if (!path) throw new Error('Chromium is not installed (apt-get install chromium)');
  return path;
}

/** The system Chromium, headless, with the flags this machine's closed network needs. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: executablePath(), args: ARGS });
}

/** The same, as a profile on disk (`dir`) rather than an incognito-like context. */
export async function launchProfile(dir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(dir, { executablePath: executablePath(), args: ARGS, locale: 'ko-KR' });
}

export const hasBrowser = (): boolean => inject('chromium') !== '';
