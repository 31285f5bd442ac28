import { Router, type NextFunction, type Request, type Response } from 'express';
import {
  HttpError,
  SESSION_COOKIE,
  jsonBody,
  notFound,
  readCookie,
  toHttpError,
  unauthorized,
  type FastAnswer,
  type FastRoute,
  type RateLimiter,
  type Session,
  type SessionVerifier,
} from '@memo/common';
import type { Config } from './config.js';
import { QuotaExceeded, isMemoId, parseCursor, type Cursor, type MemoStore } from './store.js';

type Limits = Pick<Config, 'MEMO_MAX_LENGTH' | 'BODY_LIMIT_BYTES' | 'PAGE_DEFAULT' | 'PAGE_MAX'>;

const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * A quota answer: 409 when the count of memos is reached, 413 when their text would not fit;
 * both say how much is used and left, so the page can tell the person.
 */
export function quotaError(err: QuotaExceeded): HttpError {
  const { memos, bytes } = err.usage;
  const left = (q: { used: number; limit: number }): number => Math.max(0, q.limit - q.used);
  const message =
    err.which === 'memos'
      ? `You can keep at most ${String(memos.limit)} memos: delete some to write more`
      : `Your memos can hold at most ${String(bytes.limit)} bytes of text, and ${String(left(bytes))} are left`;
  return new HttpError(
    err.which === 'memos' ? 409 : 413,
    'quota_exceeded',
    message,
    {},
    {
      quota: {
        reached: err.which,
        memos: { ...memos, remaining: left(memos) },
        bytes: { ...bytes, remaining: left(bytes) },
      },
    },
  );
}

/** The store's quota refusal as the API's answer. */
async function withQuota<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw err instanceof QuotaExceeded ? quotaError(err) : err;
  }
}

/** Validates `{"text": …}`: a non-blank, well-formed string of at most `max` characters. */
export function parseText(body: unknown, max: number): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_body', 'Send a JSON object like {"text": "…"}');
  }
  const text: unknown = (body as Record<string, unknown>).text;
  if (text === undefined) throw new HttpError(400, 'text_required', 'The memo needs a "text" field');
  if (typeof text !== 'string') throw new HttpError(400, 'text_not_string', '"text" must be a string');
  if (text.trim() === '') throw new HttpError(400, 'text_empty', 'The memo is empty');
  if (LONE_SURROGATE.test(text)) throw new HttpError(400, 'text_malformed', '"text" is not valid Unicode');
  let length = 0;
  for (const _ of text) {
    if (++length > max) throw new HttpError(400, 'text_too_long', `A memo holds at most ${max} characters`);
  }
  return text;
}

export function parsePaging(
  query: Readonly<Record<string, unknown>>,
  limits: Limits,
): { limit: number; cursor?: Cursor } {
  const { limit: rawLimit, cursor: rawCursor } = query;
  let limit = limits.PAGE_DEFAULT;
  if (rawLimit !== undefined) {
    if (typeof rawLimit !== 'string' || !/^\d{1,4}$/.test(rawLimit) || Number(rawLimit) < 1) {
      throw new HttpError(400, 'invalid_limit', `limit must be a whole number from 1 to ${limits.PAGE_MAX}`);
    }
    limit = Math.min(Number(rawLimit), limits.PAGE_MAX);
  }
  if (rawCursor === undefined || rawCursor === '') return { limit };
  const cursor = typeof rawCursor === 'string' ? parseCursor(rawCursor) : null;
  if (!cursor) throw new HttpError(400, 'invalid_cursor', 'cursor must be a nextCursor value from a previous page');
  return { limit, cursor };
}

declare module 'express-serve-static-core' {
  interface Request {
    session?: Session;
  }
}

/** The memo id in the path ('' when absent, which no memo has). */
function idOf(req: Request): string {
  const id = req.params.id;
  return typeof id === 'string' ? id : '';
}

function sessionOf(req: Request): Session {
  if (!req.session) throw unauthorized();
  return req.session;
}

export interface MemoDeps {
  store: MemoStore;
  verifier: SessionVerifier;
  limits: Limits;
  /** Counts writes per user, across replicas. */
  writes: RateLimiter;
  onChange?: (action: 'created' | 'edited' | 'deleted') => void;
}

/** Sends what a fast route answered, through express (HEAD, and bodies the lane passes on). */
function send(res: Response, { status, body, headers = [] }: FastAnswer): void {
  for (const [name, value] of headers) res.setHeader(name, value);
  res.status(status).type('json').send(body);
}

export function memoRoutes(deps: MemoDeps): Router {
  const { store, verifier, limits, writes, onChange } = deps;
  const router = Router();
  const body = jsonBody(limits.BODY_LIMIT_BYTES);
  const limitWrites = writes.middleware((req) => sessionOf(req).userId);

  // Listing and adding are the fast lane's routes (listRoute, addRoute); express serves them
  // with the very same handlers for what the lane passes on (HEAD, chunked or unusual bodies),
  // reading the body with jsonBody only when the handler asks, after its own checks.
  const list = listRoute(deps);
  const add = addRoute(deps);
  router.get('/', async (req, res) => {
    send(res, await list.handle({ req, query: req.query, json: () => Promise.resolve(undefined) }));
  });
  router.post('/', async (req, res) => {
    const json = (): Promise<unknown> =>
      new Promise((resolve, reject) => {
        body(req, res, (err?: unknown) => {
          if (err === undefined) resolve(req.body);
          else reject(toHttpError(err));
        });
      });
    send(res, await add.handle({ req, query: req.query, json }));
  });

  router.use(async (req: Request, _res: Response, next: NextFunction) => {
    const session = await verifier.verify(readCookie(req.headers.cookie, SESSION_COOKIE));
    if (!session) throw unauthorized();
    req.session = session;
    next();
  });

  router.put('/:id', limitWrites, body, async (req, res) => {
    const id = idOf(req);
    const text = parseText(req.body, limits.MEMO_MAX_LENGTH);
    if (!isMemoId(id)) throw notFound('No such memo');
    const memo = await withQuota(store.update(sessionOf(req).userId, id, text));
    if (!memo) throw notFound('No such memo');
    onChange?.('edited');
    res.set('Cache-Control', 'no-store').json(memo);
  });

  router.delete('/:id', limitWrites, async (req, res) => {
    const id = idOf(req);
    if (!isMemoId(id) || !(await store.remove(sessionOf(req).userId, id))) throw notFound('No such memo');
    onChange?.('deleted');
    res.status(204).end();
  });

  return router;
}

/**
 * GET / — the hot path, one page of the user's memos. The signature is checked first; then
 * whether the session still lives and the page itself are asked of Redis in one command, and
 * the page is only sent if the session lives.
 */
export function listRoute({ store, verifier, limits }: Pick<MemoDeps, 'store' | 'verifier' | 'limits'>): FastRoute {
  return {
    route: '/',
    handle: async ({ req, query }) => {
      const claims = await verifier.verifyToken(readCookie(req.headers.cookie, SESSION_COOKIE));
      if (!claims) throw unauthorized();
      const { limit, cursor } = parsePaging(query, limits);
      const page = await store.listIfLive(claims, limit, cursor);
      if (!page) throw unauthorized();
      return { status: 200, body: JSON.stringify(page), headers: [['Cache-Control', 'no-store']] };
    },
  };
}

/**
 * POST / — a new memo, in the same order of checks as the express route: session (401),
 * write limit (429), body (400), text (400); then one LPUSH.
 */
export function addRoute({ store, verifier, limits, writes, onChange }: MemoDeps): FastRoute {
  return {
    route: '/',
    bodyLimit: limits.BODY_LIMIT_BYTES,
    handle: async ({ req, json }) => {
      const session = await verifier.verify(readCookie(req.headers.cookie, SESSION_COOKIE));
      if (!session) throw unauthorized();
      await writes.hit(session.userId);
      const text = parseText(await json(), limits.MEMO_MAX_LENGTH);
      const memo = await withQuota(store.add(session.userId, text));
      onChange?.('created');
      return { status: 201, body: JSON.stringify(memo), headers: [['Cache-Control', 'no-store']] };
    },
  };
}
