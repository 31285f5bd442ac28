import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type RequestHandler } from 'express';
import typeis from 'type-is';
import { HttpError } from './errors.js';

/** body-parser's `verify` for our bodies: bytes that are not UTF-8 cannot round-trip, so they are refused (400 invalid_encoding) rather than stored as U+FFFD. */
export function refuseNonUtf8(_req: IncomingMessage, _res: ServerResponse, buf: Buffer): void {
  if (!isUtf8(buf)) throw new Error('body is not UTF-8');
}

/** A body the reader refuses, as body-parser names it (toHttpError maps the type to our answer). */
const refused = (type: string, status: number, message: string): Error =>
  Object.assign(new Error(message), { type, status, statusCode: status, expose: true });

/** The types the reader takes itself: JSON in UTF-8, said so or not (any other goes to body-parser). */
const PLAIN_JSON = /^application\/json(?:[ \t]*; *charset=(?:utf-8|"utf-8"))?$/i;
const LENGTH = /^[1-9]\d{0,9}$/;
const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * JSON bodies only: a body with another content type is 415, a malformed one 400, an
 * oversized one 413 (the mapping is in `errorHandler`).
 *
 * The common body (JSON in UTF-8 with a Content-Length within the limit, not compressed) is
 * read here: body-parser's chain (type-is, raw-body, iconv-lite, on-finished) cost ~15 µs of
 * a POST's ~75 (docs/decisions.md). Everything else (chunked, compressed, another charset, an
 * empty or oversized body) goes to body-parser, the reference: the answers are the same either
 * way, which `test/json-body.test.ts` checks body by body. `fast: false` is body-parser alone.
 */
export function jsonBody(limit: string | number, { fast = true }: { fast?: boolean } = {}): RequestHandler {
  const parse = express.json({
    limit,
    strict: true,
    type: 'application/json',
    verify: refuseNonUtf8,
  });
  return (req, res, next) => {
    const { headers } = req;
    const hasBody = headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
    // A type the reader takes is JSON: type-is (~3% of an add's CPU) is asked about the others.
    const plain = PLAIN_JSON.test(headers['content-type'] ?? '');
    if (hasBody && !plain && typeis(req, ['application/json']) === false) {
      next(new HttpError(415, 'unsupported_media_type', 'Send the body as application/json'));
      return;
    }
    const length = headers['content-length'];
    const encoding = headers['content-encoding'];
    if (
      fast &&
      typeof limit === 'number' &&
      headers['transfer-encoding'] === undefined &&
      (encoding === undefined || encoding.toLowerCase() === 'identity') &&
      plain &&
      length !== undefined &&
      LENGTH.test(length) &&
      Number(length) <= limit
    ) {
      readJson(req, Number(length), next);
      return;
    }
    parse(req, res, next);
  };
}

/** Reads exactly `length` bytes and parses them as body-parser's strict JSON does. */
function readJson(req: Request, length: number, next: NextFunction): void {
  const chunks: Buffer[] = [];
  let received = 0;
  let done = false;
  const finish = (err?: Error): void => {
    if (done) return;
    done = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
    req.off('close', onClose);
    next(err);
  };
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (received > length) {
      finish(refused('request.size.invalid', 400, 'request size did not match content length'));
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = (): void => {
    if (received !== length) {
      finish(refused('request.size.invalid', 400, 'request size did not match content length'));
      return;
    }
    const buf = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received);
    if (!isUtf8(buf)) {
      finish(refused('entity.verify.failed', 403, 'body is not UTF-8'));
      return;
    }
    // As body-parser reads it: a byte order mark dropped, then only an object or an array.
    let start = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    while (start < buf.length && SPACE.has(buf[start] ?? 0)) start += 1;
    const first = buf[start];
    if (first !== 0x7b && first !== 0x5b) {
      finish(refused('entity.parse.failed', 400, 'not an object or an array'));
      return;
    }
    try {
      req.body = JSON.parse(buf.toString('utf8', start)) as unknown;
    } catch {
      finish(refused('entity.parse.failed', 400, 'not JSON'));
      return;
    }
    finish();
  };
  const onError = (): void => finish(refused('request.aborted', 400, 'request aborted'));
  const onClose = (): void => {
    if (!req.complete) onError();
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
  req.on('close', onClose);
}
