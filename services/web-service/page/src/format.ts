/** The page's pure parts: no DOM, so they are unit-tested directly. */
import type { Language } from './strings.js';

/** Fills `{name}` holes. A hole without a value stays as it is, so a missing one is visible. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (hole, key: string) => {
    const value = values[key];
    return value === undefined ? hole : String(value);
  });
}

/**
 * The page's language: the person's own choice if they made one, else the first of the
 * browser's languages that we speak, else Korean.
 */
export function pickLanguage(stored: string | null, browser: readonly string[]): Language {
  if (stored === 'ko' || stored === 'en') return stored;
  for (const tag of browser) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'ko' || base === 'en') return base;
  }
  return 'ko';
}

/**
 * The locale for dates and numbers: the browser's own tag for the page's language (en-GB
 * writes dates its own way), else the bare language.
 */
export function localeFor(language: Language, browser: readonly string[]): string {
  const own = browser.find((tag) => tag.toLowerCase().split('-')[0] === language);
  if (own === undefined) return language;
  try {
    return Intl.getCanonicalLocales(own)[0] ?? language;
  } catch {
    return language;
  }
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
];

/**
 * "3분 전", "2 hours ago": relative for the last week, the date and time after that, `justNow`
 * ("방금 전") under a minute (and for clocks slightly ahead of ours).
 */
export function formatWhen(iso: string, now: Date, justNow: string, locale: string): string {
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return '';
  let amount = (now.getTime() - then.getTime()) / 1000;
  if (amount < 45) return justNow;
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (amount < size) return relative.format(-Math.floor(amount), unit);
    amount /= size;
  }
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(then);
}

/** The full date and time, for the tooltip of a relative time. */
export function formatFull(iso: string, locale: string): string {
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return '';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'medium' }).format(then);
}

/** Length as a person counts it: by code points, as the server does, so an emoji is one. */
export const lengthOf = (text: string): number => Array.from(text).length;

export type CounterLevel = 'ok' | 'near' | 'over';

/** The counter warns in the last 10% before the limit and says so once past it. */
export function counterLevel(length: number, max: number): CounterLevel {
  if (length > max) return 'over';
  if (length >= max * 0.9) return 'near';
  return 'ok';
}

/** Search is forgiving: case, width and composed/decomposed Hangul do not matter. */
export function normalizeForSearch(text: string): string {
  return text.normalize('NFKC').toLocaleLowerCase();
}

export function matches(text: string, query: string): boolean {
  const needle = normalizeForSearch(query.trim());
  return needle === '' || normalizeForSearch(text).includes(needle);
}

/** A size of text as people read it: bytes under 1 KB, else kilobytes, in the locale's way. */
export function formatBytes(bytes: number, locale: string): string {
  if (bytes < 1024) {
    return new Intl.NumberFormat(locale, { style: 'unit', unit: 'byte', unitDisplay: 'long' }).format(bytes);
  }
  const kb = bytes / 1024;
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: 'kilobyte',
    unitDisplay: 'short',
    maximumFractionDigits: kb < 10 ? 1 : 0,
  }).format(kb);
}

export interface Quota {
  used: number;
  limit: number;
}

/** The larger share of a quota in use (0 to 1): the page mentions it from USAGE_SHOWN on. */
export function usageShare(...quotas: Quota[]): number {
  return Math.max(0, ...quotas.map((q) => (q.limit > 0 ? q.used / q.limit : 0)));
}

export const USAGE_SHOWN = 0.8;

/** Bytes of a text as the server counts them against the quota: UTF-8, JSON-escaped as stored. */
export const bytesOf = (text: string): number => new TextEncoder().encode(JSON.stringify(text)).length - 2;
