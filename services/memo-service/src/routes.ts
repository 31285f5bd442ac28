import { fileURLToPath } from 'node:url';
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import {
  HttpError,
  SESSION_COOKIE,
  clientKey,
  jsonBody,
  notFound,
  openApiDescription,
  readCookie,
  sendJson,
  sendJsonText,
  unauthorized,
  type LaneRoute,
  type RateLimiter,
  type Session,
  type SessionVerifier,
} from '@memo/common';
import type { Config } from './config.js';
import type { Admission } from './admission.js';
import {
  PinsFull,
  QuotaExceeded,
  RestoreConflict,
  SessionEnded,
  SharesFull,
  isMemoId,
  parseCursor,
  type Cursor,
  type Incoming,
  type MemoStore,
} from '@memo/store';
import { exportJson, exportZip, importBody, parseExport, splitText } from './transfer.js';
import { RequestSchemas } from '@memo/common/openapi';
import { TAG_MAX_LENGTH, parseTag } from '@memo/common/tags';

type Limits = Pick<
  Config,
  | 'MEMO_MAX_LENGTH'
  | 'MEMO_MAX_COUNT'
  | 'BODY_LIMIT_BYTES'
  | 'IMPORT_LIMIT_BYTES'
  | 'PAGE_DEFAULT'
  | 'PAGE_MAX'
  | 'TRASH_DAYS'
  | 'HISTORY_VERSIONS'
> &
  Partial<Pick<Config, 'HEAVY_DEADLINE_MS' | 'SHARING'>>;

/** Version numbers in a path: 1 and up. */
const VERSION = /^[1-9]\d{0,9}$/;

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
      ? `You can keep at most ${String(memos.limit)} memos, those in the trash included: delete some, or empty the trash, to write more`
      : `Your memos can hold at most ${String(bytes.limit)} bytes of text, those in the trash and the earlier versions edits keep included, and ${String(left(bytes))} are left`;
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

/**
 * The store's refusals as the API's answers: a quota (409/413), the session ended while the
 * request ran (401: nothing was written), a memo put back from the trash or the archive over
 * one of the same id (409), or one share link more than a person may have (409).
 */
async function refusals<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof QuotaExceeded) throw quotaError(err);
    if (err instanceof SessionEnded) throw unauthorized();
    if (err instanceof RestoreConflict) {
      throw new HttpError(409, 'memo_exists', 'A memo with this id is in your list again: this one stays where it is');
    }
    if (err instanceof SharesFull) {
      throw new HttpError(
        409,
        'shares_full',
        `You can have at most ${String(err.max)} share links: stop sharing one to make another`,
        {},
        { max: err.max },
      );
    }
    throw err;
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

/** `tag` from a query or a body, normalized; 400 tag_invalid when it is not a tag. */
export function parseTagParam(raw: unknown, name = 'tag'): string {
  const tag = typeof raw === 'string' ? parseTag(raw) : null;
  if (tag === null) {
    throw new HttpError(
      400,
      'tag_invalid',
      `${name} must be a tag: up to ${String(TAG_MAX_LENGTH)} Hangul or Latin letters, digits, _ and /, not only digits`,
    );
  }
  return tag;
}

/** The paging of the trash and the archive: `cursor` is a nextCursor of the previous page (an offset). */
export function parseOffsetPaging(
  query: Readonly<Record<string, unknown>>,
  limits: Limits,
): { limit: number; offset: number } {
  const { limit } = parsePaging({ limit: query.limit }, limits);
  const raw = query.cursor;
  if (raw === undefined || raw === '') return { limit, offset: 0 };
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw)) {
    throw new HttpError(400, 'invalid_cursor', 'cursor must be a nextCursor value from a previous page');
  }
  return { limit, offset: Number(raw) };
}

const TAG_CURSOR = /^t([1-9]\d{0,14})$/;

/** The paging of a tag's memos: `cursor` is a nextCursor of the previous page (`t<seq>`). */
export function parseTagPaging(
  query: Readonly<Record<string, unknown>>,
  limits: Limits,
): { limit: number; below?: number } {
  const { limit } = parsePaging({ limit: query.limit }, limits);
  const raw = query.cursor;
  if (raw === undefined || raw === '') return { limit };
  const m = typeof raw === 'string' ? TAG_CURSOR.exec(raw) : null;
  if (!m) throw new HttpError(400, 'invalid_cursor', 'cursor must be a nextCursor value from a previous page');
  return { limit, below: Number(m[1]) };
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,64}$/;

/** The Idempotency-Key header of an add ('' when absent): 8 to 64 of A–Z, a–z, 0–9, _ and -. */
export function parseIdempotencyKey(raw: string | string[] | undefined): string {
  if (raw === undefined) return '';
  if (typeof raw !== 'string' || !IDEMPOTENCY_KEY.test(raw)) {
    throw new HttpError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 8 to 64 letters, digits, _ or -');
  }
  return raw;
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
  /** Lets one heavy request (export, import, tag rename) run per user, a few per process. */
  admission: Admission;
  /** Counts share links opened per client, across replicas (absent: no limit). */
  shareOpens?: RateLimiter;
  onChange?: (
    action:
      | 'created'
      | 'edited'
      | 'deleted'
      | 'restored'
      | 'purged'
      | 'reverted'
      | 'archived'
      | 'unarchived'
      | 'shared'
      | 'unshared',
    memos?: number,
  ) => void;
  /** A share link opened: shown, or not (gone: never was, expired, revoked; limited: 429). */
  onShareOpen?: (outcome: 'shown' | 'gone' | 'limited' | 'off') => void;
}

/**
 * The order to store an import in, so the order comes back: a text file's memos last first
 * (the first ends on top); an export's by creation time, oldest first (the original's memos,
 * without times, before all), whatever their place in the file (pinned ones come first there).
 */
function oldestFirst<T extends string | { createdAt: string | null }>(memos: readonly T[]): T[] {
  const reversed = [...memos].reverse();
  const time = (m: T): string => (typeof m === 'string' ? '' : (m.createdAt ?? ''));
  return reversed
    .map((memo, i) => ({ memo, i }))
    .sort((a, b) => (time(a.memo) < time(b.memo) ? -1 : time(a.memo) > time(b.memo) ? 1 : a.i - b.i))
    .map(({ memo }) => memo);
}

export interface MemoRoutes {
  /** Every route, for express. */
  readonly router: Router;
  /** List, add, edit and delete: nearly all the traffic, also served by the fast lane (withFastLane). */
  readonly hot: readonly LaneRoute[];
}

const NO_STORE = { 'Cache-Control': 'no-store' };

/** The API's description (src/ in tests, dist/ in the image: both one level below). */
export const OPENAPI_FILE = fileURLToPath(new URL('../api/openapi.yaml', import.meta.url));
/** Its request bodies' validators, written from it by `npm run openapi`. */
export const VALIDATORS_FILE = fileURLToPath(new URL('../api/openapi.validators.cjs', import.meta.url));

export function memoRoutes(deps: MemoDeps): MemoRoutes {
  const { store, verifier, limits, writes, admission, onChange, onShareOpen } = deps;
  const router = Router();
  const body = jsonBody(limits.BODY_LIMIT_BYTES);
  // Every JSON body is checked against api/openapi.yaml, the description this service serves.
  const schemas = new RequestSchemas(VALIDATORS_FILE);
  const limitWrites = writes.middleware((req) => sessionOf(req).userId);
  /** Share links on (SHARING): the share routes answer, and the page shows 공유. */
  const sharingOn = limits.SHARING ?? true;
  /** The limits every page of memos carries (the page's counter shows them). */
  const pageLimits = {
    memoLength: limits.MEMO_MAX_LENGTH,
    trashDays: limits.TRASH_DAYS,
    historyVersions: limits.HISTORY_VERSIONS,
    sharing: sharingOn,
  };
  const pageLimitsJson = JSON.stringify(pageLimits);

  // Every route but the list needs a live session, checked first: 401 before 429, 415 or 400.
  const liveSession = async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const session = await verifier.verify(readCookie(req.headers.cookie, SESSION_COOKIE));
    if (!session) throw unauthorized();
    req.session = session;
    next();
  };

  /**
   * GET / — the hot path, one page of the user's memos. The signature is checked here; whether
   * the session still lives is asked of Redis with the page itself, in one command, and the
   * page is only sent if it does.
   */
  const list: RequestHandler[] = [
    async (req, res) => {
      const claims = await verifier.verifyToken(readCookie(req.headers.cookie, SESSION_COOKIE));
      if (!claims) throw unauthorized();
      if (req.query.tag !== undefined) {
        // ?tag=: the memos carrying a tag (or one under it), newest first.
        const tag = parseTagParam(req.query.tag);
        const { limit, below } = parseTagPaging(req.query, limits);
        const page = await store.listTagged(claims, tag, limit, below);
        if (!page) throw unauthorized();
        const body = { memos: page.memos, nextCursor: page.nextCursor, usage: page.usage, limits: pageLimits };
        sendJson(res, 200, body, NO_STORE);
        return;
      }
      // The hottest answer: the memos come as JSON text from the store (spliced, not parsed).
      const { limit, cursor } = parsePaging(req.query, limits);
      const page = await store.listJsonIfLive(claims, limit, cursor);
      if (!page) throw unauthorized();
      // Every page carries the limits the page shows (the counter), so it never repeats them.
      const next = page.nextCursor === null ? 'null' : JSON.stringify(page.nextCursor);
      const json = `{"memos":${page.memos},"nextCursor":${next},"usage":${JSON.stringify(page.usage)},"limits":${pageLimitsJson}}`;
      sendJsonText(res, 200, json, NO_STORE);
    },
  ];

  /**
   * A session whose signature was checked: whether it still lives is asked by the write's own
   * script (its guard), so a write that goes through costs no separate question.
   */
  const signedSession = async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const session = await verifier.verifyToken(readCookie(req.headers.cookie, SESSION_COOKIE));
    if (!session) throw unauthorized();
    req.session = session;
    next();
  };
  /** `err` for a session that lives, else 401: a refusal is never told to an ended session. */
  const unlessEnded = async (req: Request, err: unknown): Promise<unknown> =>
    (await verifier.live(sessionOf(req))) ? err : unauthorized();
  /** A step after signedSession whose refusals are only told to a live session (unlessEnded). */
  const refusedIfLive =
    (step: RequestHandler): RequestHandler =>
    (req, res, next) => {
      const refuse = (err: unknown): void => {
        unlessEnded(req, err).then(next, next);
      };
      try {
        const result: unknown = step(req, res, (err?: unknown) => {
          if (err === undefined || err === null) next();
          else refuse(err);
        });
        if (result instanceof Promise) result.catch(refuse);
      } catch (err) {
        refuse(err);
      }
    };
  /**
   * The add of a session that was only signed: refused by the script's guard when it ended, or
   * when it lives by its key from before sessions moved into the user's slot (then it is added
   * as that session).
   */
  const addSigned = async (session: Session, text: string, key: string): ReturnType<MemoStore['addOnce']> => {
    try {
      return await store.addOnce(session, text, key);
    } catch (err) {
      if (!(err instanceof SessionEnded) || session.legacy) throw err;
      const live = await verifier.live(session);
      if (!live?.legacy) throw err;
      return store.addOnce(live, text, key);
    }
  };

  /**
   * POST / — a new memo: session (401), write limit (429), body (415/413/400), text (400), quota.
   * Whether the session lives is asked in the add's own script, and before any refusal (so an
   * ended session is 401 first, as everywhere); with the write limit on, before the limit counts
   * (an ended session spends none of its user's writes).
   */
  const add: RequestHandler[] = [
    signedSession,
    ...(writes.enabled ? [liveSession, limitWrites] : []),
    refusedIfLive(body),
    refusedIfLive(schemas.body('/', 'post')),
    async (req, res) => {
      let text: string;
      let key: string;
      try {
        text = parseText(req.body, limits.MEMO_MAX_LENGTH);
        key = parseIdempotencyKey(req.headers['idempotency-key']);
      } catch (err) {
        throw await unlessEnded(req, err);
      }
      const { memo, replayed } = await refusals(addSigned(sessionOf(req), text, key));
      if (!replayed) onChange?.('created');
      // A retry of an add that was stored (its answer lost on the way): the same memo, once.
      if (memo === null) throw new HttpError(410, 'memo_deleted', 'This memo was added and has been deleted since');
      sendJson(res, 201, memo, replayed ? { ...NO_STORE, 'Idempotent-Replayed': 'true' } : NO_STORE);
    },
  ];

  /** PUT /:id — a memo's new text: session, write limit, body, text, then compare-and-set. */
  const edit: RequestHandler[] = [
    liveSession,
    limitWrites,
    body,
    schemas.body('/{id}', 'put'),
    async (req, res) => {
      const id = idOf(req);
      const text = parseText(req.body, limits.MEMO_MAX_LENGTH);
      if (!isMemoId(id)) throw notFound('No such memo');
      const memo = await refusals(store.update(sessionOf(req), id, text));
      if (!memo) throw notFound('No such memo');
      onChange?.('edited');
      sendJson(res, 200, memo, NO_STORE);
    },
  ];

  /** DELETE /:id — session, write limit, then the delete. */
  const remove: RequestHandler[] = [
    liveSession,
    limitWrites,
    async (req, res) => {
      const id = idOf(req);
      if (!isMemoId(id) || !(await refusals(store.remove(sessionOf(req), id)))) throw notFound('No such memo');
      onChange?.('deleted');
      res.statusCode = 204;
      res.end();
    },
  ];

  // This service's OpenAPI 3.1 description (api/openapi.yaml), open to anyone.
  router.get('/openapi.yaml', openApiDescription(OPENAPI_FILE));
  router.get('/', ...list);
  router.post('/', ...add);
  router.put('/:id', ...edit);
  router.delete('/:id', ...remove);

  // A share link, opened by anyone who has it: no session, no cookie set, nothing of the owner
  // but the memo (no referrer: helmet's Referrer-Policy, on every answer). Limited per client;
  // the same 404 for every link that does not open.
  const sharingOff = (): HttpError => new HttpError(404, 'sharing_off', 'Sharing is turned off on this site');
  router.get('/shared/:token', async (req, res) => {
    res.set({ ...NO_STORE, 'X-Robots-Tag': 'noindex, nofollow' });
    if (!sharingOn) {
      onShareOpen?.('off');
      throw sharingOff();
    }
    try {
      await deps.shareOpens?.hit(clientKey(req.ip));
    } catch (err) {
      if (err instanceof HttpError && err.status === 429) onShareOpen?.('limited');
      throw err;
    }
    const token = typeof req.params.token === 'string' ? req.params.token : '';
    const shared = await store.shares.open(token);
    onShareOpen?.(shared ? 'shown' : 'gone');
    if (!shared)
      throw new HttpError(
        404,
        'share_not_found',
        'This link does not open: it expired, was revoked, or its memo is gone',
      );
    sendJson(res, 200, shared);
  });

  router.use(liveSession);

  /**
   * Before a heavy route (export, import, rename) reads its body or does anything: admitted one
   * per user and a few per process (429 busy beyond), and ended after HEAVY_DEADLINE_MS
   * whatever the client does, so a slow reader cannot hold its place. Its place is given back
   * when the answer is over (or the client went away).
   */
  const heavy: RequestHandler = async (req, res, next) => {
    const leave = await admission.enter(sessionOf(req));
    const deadline = setTimeout(() => res.destroy(), limits.HEAVY_DEADLINE_MS ?? 60_000);
    // The place is given back before the answer's end goes out, so the person's next heavy
    // request, sent the moment this one is answered, is never refused for it.
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      clearTimeout(deadline);
      void leave().finally(() => end(...args));
      return res;
    }) as Response['end'];
    // A client gone before the end (or the deadline) gives it back too.
    res.once('close', () => {
      clearTimeout(deadline);
      void leave();
    });
    next();
  };

  // Export and import (transfer.ts): every memo out, as JSON or Markdown files in a zip; back in
  // merging by id.
  router.get('/export', heavy, async (req, res) => {
    await exportJson(store, sessionOf(req).userId, res);
  });
  router.get('/export.zip', heavy, async (req, res) => {
    await exportZip(store, sessionOf(req).userId, res);
  });
  router.post(
    '/import',
    limitWrites,
    heavy,
    importBody(limits.IMPORT_LIMIT_BYTES),
    schemas.body('/import', 'post', 'invalid_import'),
    async (req, res) => {
      const body: unknown = req.body;
      // Checked whole before anything is stored; stored oldest first, so the order comes back.
      const memos: Incoming[] =
        typeof body === 'string'
          ? splitText(body).map((text, i) => {
              try {
                return parseText({ text }, limits.MEMO_MAX_LENGTH);
              } catch (err) {
                throw new HttpError(
                  400,
                  'invalid_import',
                  `memo ${String(i + 1)}: ${err instanceof Error ? err.message : ''}`,
                );
              }
            })
          : parseExport(body, (b) => parseText(b, limits.MEMO_MAX_LENGTH));
      if (memos.length === 0) throw new HttpError(400, 'invalid_import', 'The file holds no memo');
      // No account holds more: such a file could only cost work before being refused.
      if (memos.length > limits.MEMO_MAX_COUNT) {
        throw new HttpError(
          413,
          'import_too_large',
          `An import holds at most ${String(limits.MEMO_MAX_COUNT)} memos, as many as an account keeps`,
          {},
          { max: limits.MEMO_MAX_COUNT },
        );
      }
      const { imported, skipped, quota } = await refusals(store.importMemos(sessionOf(req), oldestFirst(memos)));
      if (imported > 0) onChange?.('created');
      if (quota) {
        // What came in before the limit stays (running the import again later merges the rest).
        const refused = quotaError(quota);
        throw new HttpError(
          refused.status,
          refused.code,
          `${refused.message} (${String(imported)} imported before the limit)`,
          {},
          { ...refused.details, imported, skipped },
        );
      }
      sendJson(res, 200, { imported, skipped }, NO_STORE);
    },
  );

  // Tags (#태그 in the text): the list with counts, and a rename across every memo.
  router.get('/tags', async (req, res) => {
    sendJson(res, 200, { tags: await store.tags(sessionOf(req).userId) }, NO_STORE);
  });
  router.post('/tags/rename', limitWrites, heavy, body, schemas.body('/tags/rename', 'post'), async (req, res) => {
    const { from: rawFrom, to: rawTo } = req.body as Record<string, unknown>;
    const from = parseTagParam(rawFrom, 'from');
    const to = parseTagParam(rawTo, 'to');
    const { renamed, skipped } = await refusals(store.renameTag(sessionOf(req), from, to, limits.MEMO_MAX_LENGTH));
    if (renamed > 0) onChange?.('edited');
    sendJson(res, 200, { from, to, renamed, skipped }, NO_STORE);
  });

  // The trash (휴지통): deleted memos for TRASH_DAYS, restorable; a page of it, the last deleted
  // first; back to the top of the list; deleted for good, one or all.
  router.get('/trash', async (req, res) => {
    const { limit, offset } = parseOffsetPaging(req.query, limits);
    const page = await store.trashPage(sessionOf(req).userId, limit, offset);
    const nextCursor = page.next === null ? null : String(page.next);
    sendJson(res, 200, { memos: page.memos, total: page.total, nextCursor, days: store.trash.days }, NO_STORE);
  });
  router.post('/trash/empty', limitWrites, async (req, res) => {
    const deleted = await store.emptyTrash(sessionOf(req));
    if (deleted > 0) onChange?.('purged', deleted);
    sendJson(res, 200, { deleted }, NO_STORE);
  });
  router.post('/trash/:id/restore', limitWrites, async (req, res) => {
    const id = idOf(req);
    const memo = isMemoId(id) ? await refusals(store.restore(sessionOf(req), id)) : null;
    if (!memo) throw notFound('No such memo in the trash');
    onChange?.('restored');
    sendJson(res, 200, memo, NO_STORE);
  });
  router.delete('/trash/:id', limitWrites, async (req, res) => {
    const id = idOf(req);
    if (!isMemoId(id) || !(await store.purge(sessionOf(req), id))) throw notFound('No such memo in the trash');
    onChange?.('purged');
    res.status(204).end();
  });

  // The archive (보관): memos off the list, not deleted, still counted; a page of it (the last
  // archived first, or a tag's in the list's order); back to the top of the list; to the trash.
  router.post('/:id/archive', limitWrites, async (req, res) => {
    const id = idOf(req);
    if (!isMemoId(id) || !(await refusals(store.archive.archive(sessionOf(req), id)))) throw notFound('No such memo');
    onChange?.('archived');
    res.status(204).end();
  });
  router.get('/archive', async (req, res) => {
    const { limit, offset } = parseOffsetPaging(req.query, limits);
    const tag = req.query.tag === undefined ? '' : parseTagParam(req.query.tag);
    const page = await store.archive.page(sessionOf(req).userId, limit, offset, tag);
    const nextCursor = page.next === null ? null : String(page.next);
    sendJson(res, 200, { memos: page.memos, total: page.total, nextCursor }, NO_STORE);
  });
  router.delete('/archive/:id', limitWrites, async (req, res) => {
    const id = idOf(req);
    if (!isMemoId(id) || !(await refusals(store.archive.discard(sessionOf(req), id)))) {
      throw notFound('No such memo in the archive');
    }
    onChange?.('deleted');
    res.status(204).end();
  });
  router.post('/archive/:id/restore', limitWrites, async (req, res) => {
    const id = idOf(req);
    const memo = isMemoId(id) ? await refusals(store.archive.unarchive(sessionOf(req), id)) : null;
    if (!memo) throw notFound('No such memo in the archive');
    onChange?.('unarchived');
    sendJson(res, 200, memo, NO_STORE);
  });

  // A memo's history: the texts its edits replaced (the last HISTORY_VERSIONS), the newest
  // first; one made the text again (an edit, so the text it replaces is kept in turn); forgotten.
  router.get('/:id/history', async (req, res) => {
    const id = idOf(req);
    const history = isMemoId(id) ? await store.history.of(sessionOf(req).userId, id) : null;
    if (!history) throw notFound('No such memo');
    sendJson(res, 200, history, NO_STORE);
  });
  router.post('/:id/history/:n/restore', limitWrites, async (req, res) => {
    const id = idOf(req);
    const n = typeof req.params.n === 'string' ? req.params.n : '';
    const memo =
      isMemoId(id) && VERSION.test(n) ? await refusals(store.history.restore(sessionOf(req), id, Number(n))) : null;
    if (!memo) throw notFound('No such memo or version');
    onChange?.('reverted');
    sendJson(res, 200, memo, NO_STORE);
  });
  router.delete('/:id/history', limitWrites, async (req, res) => {
    const id = idOf(req);
    if (!isMemoId(id)) throw notFound('No such memo');
    const forgotten = await store.history.forget(sessionOf(req), id);
    sendJson(res, 200, { forgotten }, NO_STORE);
  });

  // Share links (공유): one read-only link a memo, listed, revoked at once (store shares.ts).
  const ifSharing: RequestHandler = (_req, _res, next) => {
    next(sharingOn ? undefined : sharingOff());
  };
  router.get('/shares', ifSharing, async (req, res) => {
    sendJson(res, 200, await store.shares.list(sessionOf(req).userId), NO_STORE);
  });
  router.post(
    '/:id/share',
    ifSharing,
    limitWrites,
    body,
    (req, _res, next) => {
      // No body: a link that opens until it is revoked.
      req.body ??= {};
      next();
    },
    schemas.body('/{id}/share', 'post'),
    async (req, res) => {
      const id = idOf(req);
      const { expiresInDays } = req.body as { expiresInDays?: number | null };
      const now = new Date();
      const expires = typeof expiresInDays === 'number' ? new Date(now.getTime() + expiresInDays * 86_400_000) : null;
      const link = isMemoId(id) ? await refusals(store.shares.create(sessionOf(req), id, expires, now)) : null;
      if (!link) throw notFound('No such memo');
      onChange?.('shared');
      sendJson(res, 201, link, NO_STORE);
    },
  );
  router.delete('/:id/share', ifSharing, limitWrites, async (req, res) => {
    const id = idOf(req);
    if (!isMemoId(id) || !(await store.shares.revoke(sessionOf(req), id)))
      throw notFound('This memo has no share link');
    onChange?.('unshared');
    res.status(204).end();
  });

  // Pins: pinned memos come first (newest pin first) on the first page.
  router.put('/:id/pin', limitWrites, async (req, res) => {
    const id = idOf(req);
    try {
      if (!isMemoId(id) || !(await refusals(store.pin(sessionOf(req), id)))) throw notFound('No such memo');
    } catch (err) {
      if (err instanceof PinsFull) {
        throw new HttpError(409, 'pins_full', `You can pin at most ${String(err.max)} memos`, {}, { max: err.max });
      }
      throw err;
    }
    res.status(204).end();
  });
  router.delete('/:id/pin', limitWrites, async (req, res) => {
    const id = idOf(req);
    if (!isMemoId(id)) throw notFound('No such memo');
    await store.unpin(sessionOf(req), id);
    res.status(204).end();
  });

  return {
    router,
    hot: [
      { method: 'GET', path: '/', handlers: list },
      { method: 'POST', path: '/', handlers: add },
      { method: 'PUT', path: '/:id', handlers: edit },
      { method: 'DELETE', path: '/:id', handlers: remove },
    ],
  };
}
