import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type ServiceHandle } from '@memo/common';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { counterLevel, fill, formatWhen, lengthOf, localeFor, matches, pickLanguage } from '../page/src/format.js';
import { ko } from '../page/src/strings.js';
import { en } from '../page/src/strings-en.js';
import { TRASH_WORDS } from '../page/src/trash-strings.js';
import { findTags, parseTag, renameTag, tagsOf, withParents } from '@memo/common/tags';
import { IMMUTABLE, chooseEncoding, loadPageAssets, type PageAssets } from '../src/assets.js';
import { buildWebService } from '../src/app.js';
import { gunzipSync, brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';

describe('the page’s pure parts', () => {
  it('names every Korean string in English too, and nothing else', () => {
    const keys = (o: object): string[] =>
      Object.entries(o as Record<string, unknown>).flatMap(([k, v]) =>
        typeof v === 'object' && v !== null ? keys(v).map((x) => `${k}.${x}`) : [k],
      );
    expect(keys(en)).toEqual(keys(ko));
    for (const [key, value] of Object.entries(en)) {
      if (typeof value === 'string' && key !== 'switchLanguage' && key !== 'switchLanguageLabel') {
        expect(value, key).not.toMatch(/[가-힣]/);
      }
    }
  });

  it('names every word of the trash in English too (its own chunk), and no Korean there', () => {
    expect(Object.keys(TRASH_WORDS.en)).toEqual(Object.keys(TRASH_WORDS.ko));
    for (const [key, value] of Object.entries(TRASH_WORDS.en)) expect(value, key).not.toMatch(/[가-힣]/);
  });

  it('picks Korean unless the person chose or the browser prefers English', () => {
    expect(pickLanguage(null, [])).toBe('ko');
    expect(pickLanguage(null, ['fr-FR', 'de'])).toBe('ko');
    expect(pickLanguage(null, ['en-US', 'ko'])).toBe('en');
    expect(pickLanguage(null, ['ko-KR', 'en-US'])).toBe('ko');
    expect(pickLanguage(null, ['fr', 'EN-gb'])).toBe('en');
    expect(pickLanguage('ko', ['en-US'])).toBe('ko');
    expect(pickLanguage('en', ['ko-KR'])).toBe('en');
    expect(pickLanguage('xx', ['en-US'])).toBe('en');
  });

  it('writes dates the way the reader’s own locale does', () => {
    expect(localeFor('en', ['en-GB', 'ko'])).toBe('en-GB');
    expect(localeFor('en', ['ko-KR'])).toBe('en');
    expect(localeFor('ko', ['en-US', 'ko-KR'])).toBe('ko-KR');
    const iso = '2026-03-04T05:06:00Z';
    const now = new Date('2026-11-24T12:00:00Z');
    expect(formatWhen(iso, now, en.justNow, 'en-GB')).toMatch(/^4 Mar 2026/);
    expect(formatWhen(iso, now, en.justNow, 'en-US')).toMatch(/^Mar 4, 2026/);
  });

  it('says when, relative for a week and as a date after', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    const ago = (seconds: number): string => new Date(now.getTime() - seconds * 1000).toISOString();
    expect(formatWhen(ago(5), now, ko.justNow, 'ko')).toBe('방금 전');
    expect(formatWhen(ago(-30), now, ko.justNow, 'ko')).toBe('방금 전');
    expect(formatWhen(ago(3 * 60), now, ko.justNow, 'ko')).toBe('3분 전');
    expect(formatWhen(ago(3 * 60), now, en.justNow, 'en')).toBe('3 minutes ago');
    expect(formatWhen(ago(2 * 3600), now, ko.justNow, 'ko')).toBe('2시간 전');
    expect(formatWhen(ago(26 * 3600), now, ko.justNow, 'ko')).toBe('어제');
    expect(formatWhen(ago(3 * 86400), now, en.justNow, 'en')).toBe('3 days ago');
    expect(formatWhen(ago(10 * 86400), now, ko.justNow, 'ko')).toMatch(/^2026\. 11\. 1[34]\./);
    expect(formatWhen('not a date', now, ko.justNow, 'ko')).toBe('');
  });

  it('finds #태그 words as the page links them and the server indexes them', () => {
    const text =
      '#회의 오늘 #일/보고서 #Work, (#todo) a#b https://x.kr/#part #1 `#code` #Ｗｏｒｋ\n```\n#fenced\n```\n끝 #끝/';
    expect(findTags(text).map((m) => m.tag)).toEqual(['회의', '일/보고서', 'work', 'todo', 'work', '끝']);
    expect(tagsOf(text)).toEqual(['회의', '일', '일/보고서', 'work', 'todo', '끝']);
    expect(tagsOf(Array.from({ length: 30 }, (_, i) => `#t${String(i)}`).join(' '))).toHaveLength(10);
    expect(parseTag('#A//b/')).toBe('a/b');
    for (const bad of ['', '#', '123', '#1/2', 'a b', 'a-b', 'x'.repeat(51), '<script>'])
      expect(parseTag(bad), bad).toBeNull();
    expect(withParents('a/b/c')).toEqual(['a', 'a/b', 'a/b/c']);
  });

  it('renames a tag and the tags under it, leaving code and other words alone', () => {
    const text = '#일 그리고 #일/회의 #일상 `#일` #Ｗork #일/회의/메모';
    expect(renameTag(text, '일', '업무')).toBe('#업무 그리고 #업무/회의 #일상 `#일` #Ｗork #업무/회의/메모');
    expect(renameTag(text, '일/회의', '미팅')).toBe('#일 그리고 #미팅 #일상 `#일` #Ｗork #미팅/메모');
    expect(renameTag('#Work 와 #work', 'work', 'job')).toBe('#job 와 #job');
    expect(renameTag('없음', 'a', 'b')).toBe('없음');
  });

  it('counts characters as the server does and warns in the last tenth', () => {
    expect(lengthOf('🙂가a')).toBe(3);
    expect(counterLevel(8_999, 10_000)).toBe('ok');
    expect(counterLevel(9_000, 10_000)).toBe('near');
    expect(counterLevel(10_000, 10_000)).toBe('near');
    expect(counterLevel(10_001, 10_000)).toBe('over');
  });

  it('searches forgivingly and fills holes', () => {
    expect(matches('장보기: Ｍｉｌｋ', 'milk')).toBe(true);
    expect(matches('회의 메모', '  메모 ')).toBe(true);
    expect(matches('회의 메모', '')).toBe(true);
    expect(matches('회의 메모', '운동')).toBe(false);
    expect(fill('{name}님 {x}', { name: '홍길동' })).toBe('홍길동님 {x}');
  });
});

/**
 * A page of the fewest files in a directory of its own: the HTML names its style sheet and script.
 * Called inside a test, whose end removes the directory.
 */
function smallPage(): { dir: string; html: string; privacy: string; css: string; js: string } {
  const dir = mkdtempSync(join(tmpdir(), 'memo-assets-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const files = {
    dir,
    html: join(dir, 'index.html'),
    privacy: join(dir, 'privacy.html'),
    css: join(dir, 'style.css'),
    js: join(dir, 'app.js'),
  };
  writeFileSync(files.privacy, '<link rel="stylesheet" href="style.css" /><p>%CONTACT%</p>');
  writeFileSync(files.html, '<link rel="stylesheet" href="style.css" /><script type="module" src="app.js"></script>');
  writeFileSync(files.css, 'a{}');
  writeFileSync(files.js, 'console.log(1)');
  return files;
}

describe('serving the page', () => {
  let assets: PageAssets;
  let web: ServiceHandle;
  beforeAll(async () => {
    assets = loadPageAssets();
    web = await startService(
      buildWebService({ ...process.env, HOST: '127.0.0.1', PORT: '0', ADMIN_PORT: '0', LOG_LEVEL: 'silent' }, assets),
    );
  });
  afterAll(async () => {
    await web.close();
  });

  it('names content-hashed assets in the HTML, and the hash changes with the content', () => {
    const files = smallPage();
    const one = loadPageAssets(files);
    writeFileSync(files.js, 'console.log(2)');
    const two = loadPageAssets(files);
    expect(one.styleSheet).toBe(two.styleSheet);
    expect(one.script).not.toBe(two.script);
    expect(two.files.get('/')?.identity.toString()).toContain(`src="${two.script.slice(1)}"`);
    // A build-time brotli is used only while it is the script's: a stale one is not served.
    writeFileSync(`${files.js}.br`, brotliCompressSync(Buffer.from('console.log(1)')));
    const three = loadPageAssets(files);
    expect(brotliDecompressSync(three.files.get(three.script)?.br ?? Buffer.alloc(0)).toString()).toBe(
      'console.log(2)',
    );
    // (Quality 0 of a longer script, so that it differs from what web-service would make itself.)
    const longer = Buffer.from(Array.from({ length: 400 }, (_, i) => `console.log(${String(i % 7)});`).join('\n'));
    writeFileSync(files.js, longer);
    const quick = brotliCompressSync(longer, { params: { [zlib.BROTLI_PARAM_QUALITY]: 0 } });
    expect(quick).not.toEqual(brotliCompressSync(longer));
    writeFileSync(`${files.js}.br`, quick);
    const four = loadPageAssets(files);
    expect(four.files.get(four.script)?.br).toEqual(quick);
    writeFileSync(files.html, '<p>no assets named</p>');
    expect(() => loadPageAssets(files)).toThrow(/no longer names/);
  });

  it('serves a service worker that caches this deploy’s files, and a new deploy makes a new worker', async () => {
    const page = smallPage();
    const files = { ...page, sw: join(page.dir, 'sw.js'), manifest: join(page.dir, 'm.webmanifest') };
    writeFileSync(files.manifest, '{}');
    // Minified, the placeholders may be in either kind of quotes.
    writeFileSync(files.sw, 'const v="__VERSION__",s=JSON.parse(\'__SHELL__\');');
    const worker = (a: PageAssets): { version: string; shell: string[] } => {
      const code = a.files.get('/sw.js')?.identity.toString() ?? '';
      const [, version = '', shell = '[]'] = /^const v=("[^"]*"),s=JSON\.parse\((".*")\);$/.exec(code) ?? [];
      return { version: JSON.parse(version) as string, shell: JSON.parse(JSON.parse(shell) as string) as string[] };
    };
    const one = loadPageAssets(files);
    expect(worker(one)).toEqual({
      version: expect.stringMatching(/^[0-9a-f]{12}$/) as string,
      shell: ['./', one.script.slice(1), one.styleSheet.slice(1), 'manifest.webmanifest'],
    });
    writeFileSync(files.js, 'console.log(2)');
    const two = loadPageAssets(files);
    expect(worker(two).shell).toContain(two.script.slice(1));
    expect(worker(two).shell).not.toContain(one.script.slice(1));
    expect(worker(two).version).not.toBe(worker(one).version);
    writeFileSync(files.sw, 'const v=1;');
    expect(() => loadPageAssets(files)).toThrow(/no longer holds __VERSION__/);

    // The real one, as served: not cached without asking, and the page names it and the manifest.
    const res = await fetch(`${web.url}/sw.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain(assets.script.slice(1));
    const manifest = (await (await fetch(`${web.url}/manifest.webmanifest`)).json()) as Record<string, unknown>;
    expect(manifest).toMatchObject({ start_url: './', scope: './', display: 'standalone', lang: 'ko' });
    const csp = (await fetch(`${web.url}/`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("worker-src 'self'");
    expect(csp).toContain("manifest-src 'self'");
  });

  it('serves what the page loads when first needed beside the script, cached for a year and by the worker', async () => {
    const page = smallPage();
    const files = { ...page, sw: join(page.dir, 'sw.js') };
    writeFileSync(files.sw, 'const v="__VERSION__",s=JSON.parse(\'__SHELL__\');');
    writeFileSync(join(page.dir, 'chunk-AB12CD34.js'), 'export const en={lang:"en"};');
    writeFileSync(join(page.dir, 'not-a-chunk.js'), 'secret()');
    const small = loadPageAssets(files);
    expect(small.chunks).toEqual(['/assets/chunk-AB12CD34.js']);
    expect(small.files.get('/assets/chunk-AB12CD34.js')).toMatchObject({ cacheControl: IMMUTABLE });
    expect([...small.files.keys()].some((path) => path.includes('not-a-chunk'))).toBe(false);
    expect(small.files.get('/sw.js')?.identity.toString()).toContain('assets/chunk-AB12CD34.js');
    expect(small.files.get('/')?.identity.toString()).not.toContain('chunk-');

    // The real build: the English words, the trash, the archive and the history are such chunks,
    // loaded by the script (or by one of them: what the trash and the archive share), never
    // named by the HTML; code the script shares with them is a chunk the HTML preloads.
    const html = assets.files.get('/')?.identity.toString() ?? '';
    const script = assets.files.get(assets.script)?.identity.toString() ?? '';
    const lazy = assets.chunks.filter((path) => !assets.preloaded.includes(path));
    expect(lazy.length).toBeGreaterThanOrEqual(4);
    for (const path of assets.preloaded) expect(html).toContain(`<link rel="modulepreload" href="${path.slice(1)}" />`);
    const text = (path: string): string => assets.files.get(path)?.identity.toString() ?? '';
    const named = (path: string): string => `"./${path.slice('/assets/'.length)}"`;
    // Loaded at once by the script: what it imports when first needed.
    const loaded = lazy.filter((path) => script.includes(`import(${named(path)})`));
    expect(loaded.length).toBeGreaterThanOrEqual(4);
    for (const path of lazy) {
      expect(html).not.toContain(path.slice('/assets/'.length));
      expect(loaded.includes(path) || loaded.some((by) => text(by).includes(named(path))), path).toBe(true);
    }
    expect(script).not.toContain(en.loginIntro);
    const words = lazy.filter((path) => assets.files.get(path)?.identity.toString().includes(en.loginIntro));
    expect(words).toHaveLength(1);
    const [chunk = ''] = words;
    const res = await fetch(`${web.url}${chunk}`, { headers: { 'accept-encoding': 'br' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await res.text()).toContain(en.loginIntro);
    expect(await (await fetch(`${web.url}/sw.js`)).text()).toContain(chunk.slice(1));
  });

  it("serves the privacy notice with the operator's contact, escaped, and the page links to it", async () => {
    const page = await (await fetch(`${web.url}/`)).text();
    expect(page).toContain('href="privacy.html"');
    const custom = await startService(
      buildWebService({
        HOST: '127.0.0.1',
        PORT: '0',
        ADMIN_PORT: '0',
        LOG_LEVEL: 'silent',
        PRIVACY_CONTACT: '홍길동 <privacy@memo.example>',
        AOF_REWRITE_INTERVAL_SECONDS: '600',
        TRASH_DAYS: '14',
        HISTORY_VERSIONS: '7',
      }),
    );
    try {
      const res = await fetch(`${custom.url}/privacy.html`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const notice = await res.text();
      expect(notice).toContain('개인정보 처리방침');
      expect(notice).toContain('Privacy notice');
      expect(notice).toContain('홍길동 &lt;privacy@memo.example&gt;');
      expect(notice).not.toContain('%CONTACT%');
      expect(notice).toContain('11분 안에');
      // How long the trash keeps deleted memos, as memo-service is set.
      expect(notice).toContain('휴지통에 14일 동안 보관');
      expect(notice).toContain('stay in the trash for 14 days');
      // How many earlier versions of an edited memo are kept.
      expect(notice).toContain('최근 7개까지 보관');
      expect(notice).toContain('the last 7 of each memo');
      // What a share link shows, and when it stops.
      expect(notice).toContain('링크를 가진 누구나 로그인 없이');
      expect(notice).toContain('anyone with its link can read that memo');
      expect(notice).not.toMatch(/%\w+%/);
      expect(notice).toMatch(/href="assets\/style\.[0-9a-f]{12}\.css"/);
    } finally {
      await custom.close();
    }
  });

  it('serves the page a share link opens at /s/<token>, not indexed, no referrer, and nothing with sharing off', async () => {
    const token = 'AbCdEfGhIjKlMnOpQrStUvWx';
    const res = await fetch(`${web.url}/s/${token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('x-robots-tag')).toBe('noindex, nofollow');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('<meta name="robots" content="noindex, nofollow" />');
    expect(html).toContain('<meta name="referrer" content="no-referrer" />');
    // One level up: its own script (not the memo page's), the style sheet and the icon.
    const script = /src="\.\.(\/assets\/shared\.[0-9a-f]{12}\.js)"/.exec(html)?.[1] ?? '';
    expect(script).not.toBe('');
    expect(html).toContain(`href="..${assets.styleSheet}"`);
    expect(html).not.toContain(assets.script);
    const js = await fetch(`${web.url}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // It is not part of what the service worker keeps for the memo page.
    const worker = await (await fetch(`${web.url}/sw.js`)).text();
    expect(worker).not.toContain('shared.');
    // One segment, whatever a chat app glued to it; nothing deeper.
    expect((await fetch(`${web.url}/s/${token})`)).status).toBe(200);
    expect((await fetch(`${web.url}/s/${token}/x`)).status).toBe(404);
    expect((await fetch(`${web.url}/s/`)).status).toBe(404);
    const off = await startService(
      buildWebService({ HOST: '127.0.0.1', PORT: '0', ADMIN_PORT: '0', LOG_LEVEL: 'silent', SHARING: 'false' }, assets),
    );
    try {
      expect((await fetch(`${off.url}/s/${token}`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });

  it('chooses brotli, then gzip, honouring q=0', () => {
    expect(chooseEncoding(undefined)).toBe('identity');
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('gzip, br;q=0')).toBe('gzip');
    expect(chooseEncoding('br;q=0.0, gzip;q=0')).toBe('identity');
    expect(chooseEncoding('*')).toBe('gzip');
    expect(chooseEncoding('identity')).toBe('identity');
  });

  it('sends each encoding byte for byte, with caching headers, 304 on revalidation and HEAD without a body', async () => {
    const script = assets.files.get(assets.script);
    if (!script) throw new Error('no script');
    const plain = await fetch(`${web.url}${assets.script}`, { headers: { 'accept-encoding': 'identity' } });
    expect(Buffer.from(await plain.arrayBuffer())).toEqual(script.identity);
    expect(plain.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('vary')).toBe('Accept-Encoding');

    const gz = await fetch(`${web.url}${assets.script}`, { headers: { 'accept-encoding': 'gzip' } });
    // fetch decompresses; compare what it decoded, and the stored gzip against the original.
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(Buffer.from(await gz.arrayBuffer())).toEqual(script.identity);
    expect(gunzipSync(script.gzip)).toEqual(script.identity);
    expect(brotliDecompressSync(script.br)).toEqual(script.identity);
    expect(script.br.length).toBeLessThan(script.gzip.length);

    const etag = plain.headers.get('etag') ?? '';
    const again = await fetch(`${web.url}${assets.script}`, { headers: { 'if-none-match': `W/${etag}, "other"` } });
    expect(again.status).toBe(304);
    const head = await fetch(`${web.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('cache-control')).toBe('no-cache');
    expect(await head.text()).toBe('');
    expect((await fetch(`${web.url}/app.js`)).status).toBe(404);
    expect((await fetch(`${web.url}/`, { method: 'POST' })).status).toBe(404);
  });
});
