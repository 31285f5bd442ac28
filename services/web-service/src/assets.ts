import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { Request, RequestHandler, Response } from 'express';

/**
 * The page's files, read once at start and kept in memory, each also gzip- and
 * brotli-compressed once. The script and the style sheet are served under names that carry a
 * hash of their content and are cached for a year; the HTML names them and is never cached
 * without revalidation, so a deploy reaches every browser on its next visit.
 * What the script loads only when first needed (`import()`) is built into chunks beside it
 * (`chunk-<hash>.js`, the hash in the name): served under `/assets/` as they are named, cached
 * for a year, and kept by the service worker like the script, so they load offline too.
 * Lookups are exact path matches in a map: no path from a request ever reaches the disk.
 */

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
/** Both src/ (tests) and dist/ (the image) sit one level below the package. */
export const PAGE_FILES = {
  html: here('../page/static/index.html'),
  privacy: here('../page/static/privacy.html'),
  /** Naver's N mark for the login button: replace the file to ship Naver's own image. */
  mark: here('../page/static/naver-mark.svg'),
  css: here('../page/static/style.css'),
  js: here('../dist/public/app.js'),
  /** The page a share link opens, and its own script. */
  shared: here('../page/static/shared.html'),
  sharedJs: here('../dist/public/shared.js'),
  sw: here('../dist/public/sw.js'),
  manifest: here('../page/static/manifest.webmanifest'),
  icon: here('../page/static/icon.svg'),
};

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

export interface Asset {
  type: string;
  cacheControl: string;
  etag: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

/** `br`: the body brotli-compressed at build time, used when it decompresses to the body. */
function asset(body: Buffer, type: string, cacheControl: string, br?: Buffer): Asset {
  const prebuilt = br !== undefined && brotliDecompressSync(br).equals(body) ? br : undefined;
  return {
    type,
    cacheControl,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    identity: body,
    gzip: gzipSync(body, { level: 9 }),
    br:
      prebuilt ??
      brotliCompressSync(body, {
        params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length },
      }),
  };
}

/** A file's build-time brotli (`<file>.br`), if the build made one. */
function prebuiltBrotli(file: string): Buffer | undefined {
  return existsSync(`${file}.br`) ? readFileSync(`${file}.br`) : undefined;
}

/** A chunk's file name as the build makes it (the hash in the name). */
const CHUNK = /^chunk-[\w-]+\.js$/;

/** The chunks the script imports at once, as the build lists them beside it (`app.json`). */
function preloadsOf(script: string): string[] {
  const manifest = join(dirname(script), 'app.json');
  if (!existsSync(manifest)) return [];
  const { preload } = JSON.parse(readFileSync(manifest, 'utf8')) as { preload?: unknown };
  return Array.isArray(preload) ? preload.filter((f): f is string => typeof f === 'string' && CHUNK.test(f)) : [];
}

/** The chunks beside the script (the build names them `chunk-<hash>.js`). */
function chunksBeside(script: string): string[] {
  return readdirSync(dirname(script))
    .filter((file) => CHUNK.test(file))
    .sort()
    .map((file) => join(dirname(script), file));
}

const contentHash = (body: Buffer): string => createHash('sha256').update(body).digest('hex').slice(0, 12);

function replaceOnce(html: string, from: string, to: string): string {
  if (!html.includes(from)) throw new Error(`index.html no longer names ${from}`);
  return html.replace(from, to);
}

export interface PageAssets {
  /** Path (as requested) → file. */
  files: Map<string, Asset>;
  /** The hashed paths, for tests and logs. */
  script: string;
  /**
   * The chunks beside the script, by path: those it imports at once (`preloaded`, which the
   * HTML names) and those it loads when first needed.
   */
  chunks: string[];
  preloaded: string[];
  styleSheet: string;
  /** The page every share link opens (`/s/<token>`; its script reads the token), if built. */
  shared: Asset | null;
}

/** What the privacy notice says that comes from configuration. */
export interface PrivacySettings {
  /** The operator's contact (name, e-mail); the chart requires one outside the stand-in mode. */
  contact: string;
  /** Within how many minutes deleted data leaves the append-only file. */
  aofMinutes: number;
  /** Days a deleted memo stays in the trash (memo-service's TRASH_DAYS; 0: none). */
  trashDays?: number;
  /** Earlier versions an edited memo keeps (memo-service's HISTORY_VERSIONS; 0: none). */
  historyVersions?: number;
  /** Whether memos can be shared by link (memo-service's SHARING). */
  sharing?: boolean;
}

/** What the notice says of share links, in Korean and in English. */
function sharingWords(on: boolean): { ko: string; en: string } {
  if (!on)
    return {
      ko: '이 사이트에서는 메모를 링크로 공유할 수 없습니다.',
      en: 'Sharing memos by link is turned off on this site.',
    };
  return {
    ko: '메모를 공유하면 링크를 가진 누구나 로그인 없이 그 메모의 내용과 작성·수정 시각을 볼 수 있습니다(고친 내용도 보입니다). 이름, 다른 메모, 태그 목록은 보이지 않으며, 링크는 검색 엔진에 색인되지 않도록 요청합니다. 공유를 중지하거나, 기간이 지나거나, 메모를 지우거나 보관하거나, 회원 탈퇴하면 링크는 즉시 열리지 않습니다.',
    en: 'When you share a memo, anyone with its link can read that memo, with when it was written and edited (edits show too), without logging in. Your name, your other memos and your tags are not shown, and search engines are asked not to index the link. A link stops opening at once when you stop sharing, when it expires, when the memo is deleted or archived, and at account deletion.',
  };
}

/** What the notice says of the texts edits replace, in Korean and in English. */
function historyWords(versions: number): { ko: string; en: string } {
  if (versions <= 0) return { ko: '보관하지 않습니다(고치면 이전 내용은 즉시 사라짐).', en: 'are not kept' };
  return {
    ko: `메모마다 최근 ${String(versions)}개까지 보관하며 저장 공간에 포함됩니다. 메모를 지우거나(휴지통으로 옮길 때 포함) 기록을 지우면 즉시 삭제합니다.`,
    en: `are kept, the last ${String(versions)} of each memo, counted in your storage, and deleted at once with the memo (moving it to the trash included) or when you clear its history`,
  };
}

/** What the notice says of deleted memos, in Korean and in English. */
function trashWords(days: number): { ko: string; en: string } {
  if (days <= 0) return { ko: '즉시 삭제합니다(휴지통 없음).', en: 'are deleted at once (no trash)' };
  return {
    ko: `휴지통에 ${String(days)}일 동안 보관해 되살릴 수 있게 한 뒤 삭제합니다. 그 전에 휴지통에서 지우거나 비우면 즉시 삭제합니다.`,
    en: `stay in the trash for ${String(days)} days, restorable, then are deleted (at once when you delete them there or empty it)`,
  };
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The page's files; the service worker, manifest and icon are optional (tests of one part leave them out). */
export interface PageFiles {
  html: string;
  privacy: string;
  css: string;
  js: string;
  mark?: string;
  sw?: string;
  manifest?: string;
  icon?: string;
  /** The page a share link opens, and its script (both, or neither). */
  shared?: string;
  sharedJs?: string;
}

/**
 * The service worker as served: this deploy's version (a hash of every cached file) and the
 * list of files it caches, filled in. A deploy with any file changed is a new worker, which
 * replaces the old one and its cache (page/sw/sw.ts).
 */
export function serviceWorker(source: string, shell: Map<string, Asset>): string {
  const paths = [...shell.keys()].map((path) => (path === '/' ? './' : path.slice(1)));
  const version = createHash('sha256')
    .update([...shell.values()].map((a) => a.etag).join())
    .digest('hex')
    .slice(0, 12);
  const fill = (text: string, hole: string, value: string): string => {
    const pattern = new RegExp(`(["'\`])${hole}\\1`);
    if (!pattern.test(text)) throw new Error(`sw.js no longer holds ${hole}`);
    return text.replace(pattern, () => JSON.stringify(value));
  };
  return fill(fill(source, '__VERSION__', version), '__SHELL__', JSON.stringify(paths));
}

export function loadPageAssets(
  files: PageFiles = PAGE_FILES,
  privacy: PrivacySettings = { contact: '', aofMinutes: 11 },
): PageAssets {
  const js = readFileSync(files.js);
  const css = readFileSync(files.css);
  const script = `/assets/app.${contentHash(js)}.js`;
  const styleSheet = `/assets/style.${contentHash(css)}.css`;
  let html = readFileSync(files.html, 'utf8');
  // Relative URLs, so the page also works under a sub-path.
  html = replaceOnce(html, 'href="style.css"', `href="${styleSheet.slice(1)}"`);
  html = replaceOnce(html, 'src="app.js"', `src="${script.slice(1)}"`);
  // What the script imports at once comes with it, not after it (a chunk it shares with those
  // loaded later); what it loads later is not named here.
  const preloaded = preloadsOf(files.js).map((chunk) => `/assets/${chunk}`);
  const links = preloaded.map((path) => `<link rel="modulepreload" href="${path.slice(1)}" />`);
  if (links.length > 0) html = replaceOnce(html, '</head>', `${links.join('')}</head>`);
  if (files.mark) html = html.replace('<!--naver-mark-->', readFileSync(files.mark, 'utf8').trim());
  const page = asset(Buffer.from(html), 'text/html; charset=utf-8', REVALIDATE);
  const contact = privacy.contact.trim()
    ? escapeHtml(privacy.contact.trim())
    : '운영자 연락처가 설정되지 않았습니다 (no operator contact is configured)';
  const notice = replaceOnce(readFileSync(files.privacy, 'utf8'), 'href="style.css"', `href="${styleSheet.slice(1)}"`)
    .replaceAll('%CONTACT%', contact)
    .replaceAll('%AOF_MINUTES%', String(privacy.aofMinutes))
    .replaceAll('%TRASH_KO%', trashWords(privacy.trashDays ?? 30).ko)
    .replaceAll('%TRASH_EN%', trashWords(privacy.trashDays ?? 30).en)
    .replaceAll('%HISTORY_KO%', historyWords(privacy.historyVersions ?? 20).ko)
    .replaceAll('%HISTORY_EN%', historyWords(privacy.historyVersions ?? 20).en)
    .replaceAll('%SHARING_KO%', sharingWords(privacy.sharing ?? true).ko)
    .replaceAll('%SHARING_EN%', sharingWords(privacy.sharing ?? true).en);
  // What the service worker keeps for offline use: the page and everything it loads.
  const shell = new Map<string, Asset>([
    ['/', page],
    [script, asset(js, 'text/javascript; charset=utf-8', IMMUTABLE, prebuiltBrotli(files.js))],
    [styleSheet, asset(css, 'text/css; charset=utf-8', IMMUTABLE)],
  ]);
  for (const chunk of chunksBeside(files.js)) {
    const body = readFileSync(chunk);
    shell.set(
      `/assets/${basename(chunk)}`,
      asset(body, 'text/javascript; charset=utf-8', IMMUTABLE, prebuiltBrotli(chunk)),
    );
  }
  if (files.manifest) {
    shell.set('/manifest.webmanifest', asset(readFileSync(files.manifest), 'application/manifest+json', REVALIDATE));
  }
  if (files.icon) shell.set('/icon.svg', asset(readFileSync(files.icon), 'image/svg+xml', REVALIDATE));
  const all = new Map(shell);
  all.set('/index.html', page);
  all.set('/privacy.html', asset(Buffer.from(notice), 'text/html; charset=utf-8', REVALIDATE));
  if (files.sw) {
    const worker = serviceWorker(readFileSync(files.sw, 'utf8'), shell);
    all.set('/sw.js', asset(Buffer.from(worker), 'text/javascript; charset=utf-8', REVALIDATE));
  }
  // The shared page sits at <base>s/<token>: its relative URLs go one level up.
  let shared: Asset | null = null;
  if (files.shared && files.sharedJs && existsSync(files.sharedJs)) {
    const body = readFileSync(files.sharedJs);
    const sharedScript = `/assets/shared.${contentHash(body)}.js`;
    all.set(sharedScript, asset(body, 'text/javascript; charset=utf-8', IMMUTABLE, prebuiltBrotli(files.sharedJs)));
    let sharedHtml = readFileSync(files.shared, 'utf8');
    sharedHtml = replaceOnce(sharedHtml, 'href="style.css"', `href="..${styleSheet}"`);
    sharedHtml = replaceOnce(sharedHtml, 'src="shared.js"', `src="..${sharedScript}"`);
    sharedHtml = replaceOnce(sharedHtml, 'href="icon.svg"', 'href="../icon.svg"');
    shared = asset(Buffer.from(sharedHtml), 'text/html; charset=utf-8', REVALIDATE);
  }
  return {
    files: all,
    shared,
    script,
    styleSheet,
    chunks: [...shell.keys()].filter((path) => path.startsWith('/assets/chunk-')),
    preloaded,
  };
}

/** The best encoding the client accepts: brotli, then gzip, then none. */
export function chooseEncoding(header: string | undefined): 'br' | 'gzip' | 'identity' {
  if (!header) return 'identity';
  const accepted = new Set<string>();
  for (const part of header.toLowerCase().split(',')) {
    const [name = '', ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) continue;
    accepted.add(name.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  return 'identity';
}

function fresh(req: Request, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*');
}

/**
 * A share link's path: `/s/<token>`, one segment (the token is checked where it is looked up,
 * memo-service). Whatever a chat app glued to its end (`…)`, `….`) still gets the page, which
 * reads the token off the start and says so when a link opens nothing.
 */
const SHARE_PATH = /^\/s\/[^/]{1,128}$/;

/**
 * The page's files by exact path; with `sharing`, the shared page at every `/s/<token>`, marked
 * for search engines not to index (no referrer: helmet's Referrer-Policy, as everywhere).
 */
export function servePage(assets: PageAssets, { sharing = false }: { sharing?: boolean } = {}): RequestHandler {
  return (req: Request, res: Response, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    let file = assets.files.get(req.path);
    if (!file && sharing && assets.shared && SHARE_PATH.test(req.path)) {
      file = assets.shared;
      res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    }
    if (!file) return next();
    res.setHeader('Cache-Control', file.cacheControl);
    res.setHeader('ETag', file.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    if (fresh(req, file.etag)) {
      res.status(304).end();
      return;
    }
    const encoding = chooseEncoding(req.headers['accept-encoding']);
    const body = file[encoding];
    res.setHeader('Content-Type', file.type);
    if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Length', body.length);
    if (req.method === 'HEAD') res.end();
    else res.end(body);
  };
}
