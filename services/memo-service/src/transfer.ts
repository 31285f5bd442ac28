import { once } from 'node:events';
import { Readable } from 'node:stream';
import express, { type RequestHandler, type Response } from 'express';
import yazl from 'yazl';
import { HttpError, jsonBody, refuseNonUtf8 } from '@memo/common';
import { tagsOf } from '@memo/common/tags';
import type { Memo } from '@memo/store';
import { isMemoId, parseCursor, type MemoStore } from '@memo/store';

/**
 * Export and import. An export is every memo of the person, lossless (id, text, times) with a
 * version, as JSON or as Markdown files in a zip; it is written page by page as the store
 * hands pages out (each Redis call O(page)), never built whole in memory. An import takes
 * such a JSON file back, merging by id (a memo already there is left as it is, so running it
 * twice changes nothing), or a plain text / Markdown file (memos separated by lines of `---`);
 * everything is checked before anything is stored, and the quotas apply.
 */

export const EXPORT_VERSION = 1;
const PAGE = 100;

/** A memo as exported: archived ones say when they were archived. */
type Exported = Memo & { archivedAt?: string };

/**
 * Every memo of the user, a page at a time: the list, newest first, then the archived ones,
 * the last archived first (an import brings them back into the list). The trash is not
 * exported (it is what was deleted), nor the history of edits.
 */
async function* everyMemo(store: MemoStore, userId: string): AsyncGenerator<Exported> {
  let cursor: Parameters<MemoStore['list']>[2];
  for (;;) {
    const page = await store.list(userId, PAGE, cursor);
    yield* page.memos;
    if (!page.nextCursor) break;
    cursor = parseCursor(page.nextCursor) ?? undefined;
    if (!cursor) break;
  }
  for (let offset: number | null = 0; offset !== null;) {
    const page = await store.archive.page(userId, PAGE, offset);
    yield* page.memos;
    offset = page.next;
  }
}

/**
 * Resolves when the response is closed (finished, or the client went away): every wait of an
 * export races with it, so one that will never be read never holds the export.
 */
const closed = (res: Response): Promise<void> =>
  res.closed ? Promise.resolve() : once(res, 'close').then(() => undefined);

/** Writes, waiting when the socket is full: a slow reader never makes us buffer the export. */
async function write(res: Response, chunk: string, gone: Promise<void>): Promise<void> {
  if (!res.write(chunk)) await Promise.race([once(res, 'drain'), gone]);
}

const stamp = (now: Date): string => now.toISOString().slice(0, 10);

/** GET /export — `{"version":1,"exportedAt":…,"memos":[…]}`, streamed. */
export async function exportJson(store: MemoStore, userId: string, res: Response, now = new Date()): Promise<void> {
  res
    .status(200)
    .set({
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="memo-${stamp(now)}.json"`,
      'Cache-Control': 'no-store',
    })
    .flushHeaders();
  const gone = closed(res);
  await write(
    res,
    `{"version":${String(EXPORT_VERSION)},"exportedAt":${JSON.stringify(now.toISOString())},"memos":[`,
    gone,
  );
  let first = true;
  for await (const memo of everyMemo(store, userId)) {
    if (res.destroyed) return;
    await write(res, `${first ? '' : ','}\n${JSON.stringify({ ...memo, tags: tagsOf(memo.text) })}`, gone);
    first = false;
  }
  res.end('\n]}\n');
}

/** A memo as a Markdown file: its id and times in front matter, then its text unchanged. */
export function markdownFile(memo: Exported): string {
  const front = [`id: ${memo.id}`, `createdAt: ${memo.createdAt ?? ''}`, `updatedAt: ${memo.updatedAt ?? ''}`];
  if (memo.pinnedAt) front.push(`pinnedAt: ${memo.pinnedAt}`);
  if (memo.archivedAt) front.push(`archivedAt: ${memo.archivedAt}`);
  const tags = tagsOf(memo.text);
  if (tags.length > 0) front.push(`tags: [${tags.map((t) => JSON.stringify(t)).join(', ')}]`);
  return `---\n${front.join('\n')}\n---\n${memo.text}\n`;
}

/**
 * GET /export.zip — one Markdown file per memo, streamed as the zip is made. One entry at a
 * time: the next memo is handed to yazl only once the last one went through its deflate
 * stream into the response, so one deflate state exists per export whatever the number of
 * memos (yazl's addBuffer deflates every buffer at once, in parallel: 1,000 native deflate
 * states, ~100 MB, for one export of 1,000 memos), and a slow reader holds nothing more.
 */
export async function exportZip(store: MemoStore, userId: string, res: Response, now = new Date()): Promise<void> {
  res.status(200).set({
    'Content-Type': 'application/zip',
    'Content-Disposition': `attachment; filename="memo-${stamp(now)}.zip"`,
    'Cache-Control': 'no-store',
  });
  const gone = closed(res);
  const zip = new yazl.ZipFile();
  zip.outputStream.pipe(res);
  for await (const memo of everyMemo(store, userId)) {
    if (res.destroyed) break;
    const when = new Date(memo.updatedAt ?? memo.createdAt ?? now.toISOString());
    const day = memo.createdAt ? memo.createdAt.slice(0, 10) : 'undated';
    const file = Buffer.from(markdownFile(memo));
    const read = new Promise<void>((resolve) => {
      zip.addReadStreamLazy(`memos/${day}-${memo.id}.md`, { mtime: when, size: file.length }, (give) => {
        const source = Readable.from([file], { objectMode: false });
        source.once('end', () => resolve());
        give(null, source);
      });
    });
    await Promise.race([read, gone]);
  }
  if (res.destroyed) {
    zip.outputStream.unpipe(res);
    return;
  }
  zip.end();
  await Promise.race([once(res, 'finish'), gone]);
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const isTime = (v: unknown): v is string | null => v === null || (typeof v === 'string' && ISO.test(v));

/** Checks an export file; every problem is named by its place (`memos[3].text`). */
export function parseExport(body: unknown, checkText: (text: unknown) => string): Memo[] {
  const fail = (where: string, message: string): never => {
    throw new HttpError(400, 'invalid_import', `${where}: ${message}`);
  };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) fail('file', 'not a memo export');
  const { version, memos } = body as { version?: unknown; memos?: unknown };
  if (version !== EXPORT_VERSION) fail('version', `must be ${String(EXPORT_VERSION)}`);
  if (!Array.isArray(memos)) fail('memos', 'must be a list');
  const ids = new Set<string>();
  return (memos as unknown[]).map((m, i): Memo => {
    const where = `memos[${String(i)}]`;
    if (typeof m !== 'object' || m === null) return fail(where, 'not a memo');
    const { id, text, createdAt, updatedAt, pinnedAt } = m as Record<string, unknown>;
    if (typeof id !== 'string' || !isMemoId(id)) return fail(`${where}.id`, 'not a memo id');
    // An export names each memo once: the same id twice is not one (and would cost twice).
    if (ids.has(id)) return fail(`${where}.id`, 'appears twice in the file');
    ids.add(id);
    if (!isTime(createdAt ?? null) || !isTime(updatedAt ?? null) || !isTime(pinnedAt ?? null)) {
      return fail(where, 'times must be ISO 8601 (UTC) or null');
    }
    try {
      return {
        id,
        text: checkText({ text }),
        createdAt: (createdAt as string | null) ?? null,
        updatedAt: (updatedAt as string | null) ?? null,
        ...(typeof pinnedAt === 'string' ? { pinnedAt } : {}),
      };
    } catch (err) {
      return fail(`${where}.text`, err instanceof HttpError ? err.message : 'invalid');
    }
  });
}

/** A text or Markdown file: memos separated by lines of `---`, first one first. */
export function splitText(file: string): string[] {
  return file
    .replace(/\r\n?/g, '\n')
    .split(/^---[ \t]*$/m)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/**
 * The body of an import: JSON (an export) read as every JSON body is (`jsonBody`), or
 * text/plain or text/markdown, held to the same UTF-8 rule.
 */
export function importBody(limit: number): RequestHandler {
  const json = jsonBody(limit);
  const text = express.text({ limit, type: ['text/plain', 'text/markdown'], verify: refuseNonUtf8 });
  return (req, res, next) => {
    if (req.is('application/json')) json(req, res, next);
    else if (req.is(['text/plain', 'text/markdown'])) text(req, res, next);
    else
      next(new HttpError(415, 'unsupported_media_type', 'Send an export (application/json) or a text/markdown file'));
  };
}
