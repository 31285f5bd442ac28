/**
 * The service worker: the page opens offline with the memos last seen.
 *
 * - The shell (the page, its hashed script and style sheet, the mark) is cached at install,
 *   under a cache named by this deploy's version; activation deletes every other version's
 *   cache, so a new deploy's assets replace the old ones and nothing stale is left behind.
 *   The page itself is always asked of the network first, so an online visit gets the deploy
 *   of the moment.
 * - Who-am-I (`auth/session`) and memo pages are network-first: each good answer is kept (cache `memo-data`),
 *   and answered from there, marked `X-Memo-Offline: 1`, when the network fails. The copy
 *   belongs to the person who-am-I last named: when it names someone else (another person
 *   logged in on this device, even without the first logging out), everything kept is dropped
 *   first, and memo pages are kept only once who-am-I named someone. A 401 clears it (the
 *   session ended); the page clears it on logout and 회원 탈퇴 too.
 * - Writes are never touched here: the page queues a memo written offline in its outbox and
 *   sends it, with an Idempotency-Key, when the connection returns.
 *
 * `__VERSION__` and `__SHELL__` are filled in by web-service when it serves this file
 * (src/assets.ts). Every path is relative to the worker's own scope: the site may live under
 * a sub-path.
 */
declare const self: ServiceWorkerGlobalScope;

const VERSION = '__VERSION__';
const SHELL: string[] = JSON.parse('__SHELL__') as string[];
const SHELL_CACHE = `memo-shell-${VERSION}`;
/** The page clears it by this name too (main.ts). */
const DATA_CACHE = 'memo-data';

const scope = (): URL => new URL(self.registration.scope);
const inScope = (path: string): URL => new URL(path, scope());

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      await cache.addAll(SHELL.map((path) => inScope(path).href));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('memo-shell-') && name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

/** Who the kept answers belong to: the id who-am-I last answered, kept under this URL. */
const owner = (): string => inScope('__memo-owner').href;

/** Keeps happen one after another, in the order the answers came (who-am-I before the page). */
let keeping: Promise<void> = Promise.resolve();

/**
 * Keeps a good answer for offline use. Who-am-I naming a new person drops what was kept for
 * the one before; a memo page is kept only while someone is known.
 */
function keep(request: Request, response: Response, path: string): Promise<void> {
  keeping = keeping.then(() => keepNow(request, response, path)).catch(() => undefined);
  return keeping;
}

async function keepNow(request: Request, response: Response, path: string): Promise<void> {
  let cache = await caches.open(DATA_CACHE);
  const was = await (await cache.match(owner()))?.text();
  if (path === 'auth/session') {
    const { user } = (await response.clone().json()) as { user?: { id?: unknown } | null };
    const id = user?.id;
    if (typeof id !== 'string') {
      // Nobody is logged in: nothing is kept for anyone.
      await caches.delete(DATA_CACHE);
      return;
    }
    if (was !== id) {
      await caches.delete(DATA_CACHE);
      cache = await caches.open(DATA_CACHE);
      await cache.put(owner(), new Response(id));
    }
  } else if (was === undefined) {
    return;
  }
  await cache.put(request, response);
}

/** The answer kept for `request`, marked as such; undefined when there is none. */
async function kept(request: Request): Promise<Response | undefined> {
  const cached = await caches.match(request, { cacheName: DATA_CACHE });
  if (!cached) return undefined;
  const headers = new Headers(cached.headers);
  headers.set('X-Memo-Offline', '1');
  return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers });
}

/** The network's answer at once; keeping a copy (or forgetting on a 401) goes on after it. */
async function networkFirstData(event: FetchEvent, path: string): Promise<Response> {
  const { request } = event;
  let response: Response;
  try {
    response = await fetch(request);
  } catch (err) {
    const answer = await kept(request);
    if (answer) return answer;
    throw err;
  }
  if (response.status === 200) {
    event.waitUntil(keep(request, response.clone(), path));
  } else if (response.status === 401) {
    event.waitUntil(caches.delete(DATA_CACHE));
  }
  return response;
}

async function networkFirstPage(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (err) {
    const page = await caches.match(inScope('./').href, { cacheName: SHELL_CACHE });
    if (page) return page;
    throw err;
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  return (await caches.match(request, { cacheName: SHELL_CACHE })) ?? fetch(request);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  const base = scope();
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) return;
  const path = url.pathname.slice(base.pathname.length);
  // A share link's page and its memo are the network's only: never the memo page in their place
  // offline, and nothing of them kept.
  if (path.startsWith('s/') || path.startsWith('memo/shared/')) return;
  if (request.mode === 'navigate') {
    event.respondWith(networkFirstPage(request));
  } else if (path === 'memo' || path === 'auth/session') {
    event.respondWith(networkFirstData(event, path));
  } else if (SHELL.includes(path)) {
    event.respondWith(cacheFirst(request));
  }
});
