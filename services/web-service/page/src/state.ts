/**
 * What the page knows now, in one place: the language it speaks, who is logged in, their use of
 * the quotas, the server's limits, and whether answers came from the offline copy. Controllers
 * read and change it (main.ts makes the one instance and hands it to them); nothing below this
 * module keeps any state of the page.
 */
import type { Usage } from './api.js';
import { storage } from './dom.js';
import { localeFor, pickLanguage } from './format.js';
import { ko, type Language, type Speech, type Strings } from './strings.js';

/** The words of a language: Korean comes with the page, English is fetched once, when first needed. */
async function wordsOf(language: Language): Promise<Strings> {
  return language === 'ko' ? ko : (await import('./strings-en.js')).en;
}

/** The person's own choice of language, kept on the device. */
const LANGUAGE_KEY = 'memo:lang';

export class PageState {
  language: Language = pickLanguage(storage.get(LANGUAGE_KEY), navigator.languages);
  /** The words of `language`: Korean until `ready()` has loaded another. */
  t: Strings = ko;
  locale = localeFor(this.language, navigator.languages);
  /** Who is logged in ('' for nobody): their outbox and their draft are theirs only. */
  userId = '';
  userName = '';
  /** The person's use of their quotas, as the last page said and kept up since. */
  usage: Usage | null = null;
  /** Characters a memo may hold: the server says so with every page (limits.memoLength). */
  maxLength = 10_000;
  /** Days the trash keeps a deleted memo (0: none, a delete is final): limits.trashDays. */
  trashDays = 0;
  /** Earlier versions an edited memo keeps (0: none, no history to show): limits.historyVersions. */
  historyVersions = 0;
  /** Whether memos can be shared by link: limits.sharing. */
  sharing = false;
  /** Whether an answer came from the service worker's copy (offline) since the last look. */
  servedOffline = false;

  /** The words and the locale the views speak in now. */
  speech(): Speech {
    return { t: this.t, language: this.language, locale: this.locale };
  }

  /** A number as the page's language writes it. */
  number(n: number): string {
    return n.toLocaleString(this.locale);
  }

  /**
   * Loads the words of the language picked, before the page shows any. Should English not load
   * (offline on a first visit, before the service worker kept it), the page speaks Korean.
   */
  async ready(): Promise<void> {
    if (this.language === 'ko') return;
    try {
      this.t = await wordsOf(this.language);
    } catch {
      this.language = 'ko';
      this.locale = localeFor('ko', navigator.languages);
    }
  }

  /** Korean ⇄ English, remembered on the device; unchanged (and the error thrown) if English cannot load. */
  async switchLanguage(): Promise<void> {
    const language = this.language === 'ko' ? 'en' : 'ko';
    this.t = await wordsOf(language);
    this.language = language;
    this.locale = localeFor(language, navigator.languages);
    storage.set(LANGUAGE_KEY, language);
  }

  /** Nobody is logged in any more. */
  signOut(): void {
    this.userId = '';
    this.userName = '';
    this.usage = null;
  }
}
