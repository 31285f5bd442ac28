import { connect, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { createLogger } from '../src/logger.js';
import { errorHandler } from '../src/http.js';
import { jsonBody } from '../src/json-body.js';

const LIMIT = 1024;
let server: Server;
let port = 0;

/** Two routes, the same but for the reader: ours, and body-parser alone (the reference). */
beforeAll(async () => {
  const app = express();
  const echo: express.RequestHandler = (req, res) => {
    res.status(200).json({ body: req.body as unknown });
  };
  app.post('/ours', jsonBody(LIMIT), echo);
  app.post('/reference', jsonBody(LIMIT, { fast: false }), echo);
  app.use(errorHandler(createLogger('test', 'silent')));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

/**
 * A request written byte by byte on a socket (so that lengths, encodings and bodies can be
 * wrong), `end` half-closing it after the body; the answer's status and body.
 */
function send(path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    const head = Object.entries({ host: 'x', connection: 'close', ...headers })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
    socket.end(body);
  });
}

const json = 'application/json';
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const sized = (type: string, body: Buffer): [Record<string, string>, Buffer] => [
  { 'content-type': type, 'content-length': String(body.length) },
  body,
];

/** Bodies the two readers must answer alike: what the reader takes itself and what it hands on. */
const CASES: Record<string, [Record<string, string>, Buffer]> = {
  'an object': sized(json, utf8('{"text":"메모 하나"}')),
  'an array': sized(json, utf8('[1,2]')),
  'spaces around': sized(json, utf8(' \n\t{"text":"a"} \r\n')),
  'a byte order mark': sized(json, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('{"a":1}')])),
  'charset=utf-8': sized('application/json; charset=utf-8', utf8('{"a":1}')),
  'charset="UTF-8", upper case type': sized('Application/JSON; charset="UTF-8"', utf8('{"a":1}')),
  'a string (not strict)': sized(json, utf8('"text"')),
  null: sized(json, utf8('null')),
  'a number': sized(json, utf8('12')),
  'only spaces': sized(json, utf8('   ')),
  'broken JSON': sized(json, utf8('{"text": ')),
  'a lone surrogate escaped': sized(json, utf8('{"text":"\\ud800"}')),
  'bytes that are not UTF-8': sized(json, Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
  'an overlong UTF-8 form': sized(json, Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d])),
  'at the limit': sized(json, utf8(`{"t":"${'a'.repeat(LIMIT - 8)}"}`)),
  'one byte over the limit': sized(json, utf8(`{"t":"${'a'.repeat(LIMIT - 7)}"}`)),
  'another type': sized('text/plain', utf8('{"a":1}')),
  // Types near the ones the reader takes without asking type-is: each answered as body-parser does.
  'a tab before the charset': sized('application/json\t; charset=utf-8', utf8('{"a":1}')),
  'a tab after the semicolon': sized('application/json;\tcharset=utf-8', utf8('{"a":1}')),
  'spaces around the equals sign': sized('application/json; charset = utf-8', utf8('{"a":1}')),
  'an unclosed quote': sized('application/json; charset="utf-8', utf8('{"a":1}')),
  'a charset with nothing after the semicolon': sized('application/json;', utf8('{"a":1}')),
  'a suffix type': sized('application/merge-patch+json', utf8('{"a":1}')),
  'another charset': sized('application/json; charset=latin1', utf8('{"a":1}')),
  'an empty body': sized(json, Buffer.alloc(0)),
  gzip: [
    { 'content-type': json, 'content-encoding': 'gzip', 'content-length': String(gzipSync('{"a":1}').length) },
    gzipSync('{"a":1}'),
  ],
  'an unknown encoding': [{ 'content-type': json, 'content-encoding': 'br2', 'content-length': '7' }, utf8('{"a":1}')],
  chunked: [{ 'content-type': json, 'transfer-encoding': 'chunked' }, utf8('7\r\n{"a":1}\r\n0\r\n\r\n')],
  'shorter than its Content-Length': [{ 'content-type': json, 'content-length': '20' }, utf8('{"a":1}')],
  'a Content-Length with a sign': [{ 'content-type': json, 'content-length': '+7' }, utf8('{"a":1}')],
};

describe('jsonBody', () => {
  it('answers every body as body-parser alone does', async () => {
    for (const [name, [headers, body]] of Object.entries(CASES)) {
      const ours = await send('/ours', headers, body);
      const reference = await send('/reference', headers, body);
      expect({ name, ...ours }).toEqual({ name, ...reference });
    }
  });

  it('parses what it takes and refuses the rest with the API’s codes', async () => {
    const answer = async (name: string): Promise<[number, unknown]> => {
      const [headers, body] = CASES[name] ?? [{}, Buffer.alloc(0)];
      const res = await send('/ours', headers, body);
      return [res.status, JSON.parse(res.body) as unknown];
    };
    expect(await answer('a byte order mark')).toEqual([200, { body: { a: 1 } }]);
    expect(await answer('an object')).toEqual([200, { body: { text: '메모 하나' } }]);
    const code = async (name: string): Promise<[number, string]> => {
      const [status, body] = await answer(name);
      return [status, (body as { error: { code: string } }).error.code];
    };
    expect(await code('broken JSON')).toEqual([400, 'invalid_json']);
    expect(await code('a number')).toEqual([400, 'invalid_json']);
    expect(await code('bytes that are not UTF-8')).toEqual([400, 'invalid_encoding']);
    expect(await code('one byte over the limit')).toEqual([413, 'payload_too_large']);
    expect(await code('another type')).toEqual([415, 'unsupported_media_type']);
    const [short, body] = CASES['shorter than its Content-Length'] ?? [{}, Buffer.alloc(0)];
    // The client went away mid-body: node itself answers 400, with no body.
    expect((await send('/ours', short, body)).status).toBe(400);
  });
});
