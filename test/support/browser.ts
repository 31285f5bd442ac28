import { chromium, type Browser } from 'playwright-core';
import { inject } from 'vitest';

/** The system Chromium, headless, with the flags this machine's closed network needs. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = inject('chromium');
  if (!executablePath) throw new Error('Chromium is not installed (apt-get install chromium)');
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const hasBrowser = (): boolean => inject('chromium') !== '';
