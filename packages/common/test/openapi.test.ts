import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger, errorHandler, jsonBody } from '../src/index.js';
import { RequestSchemas } from '../src/openapi.js';
import { validatorsCode } from '../src/openapi-code.js';

const SPEC = `
openapi: 3.1.0
info: { title: t, version: '1' }
components:
  schemas:
    Name: { type: string, pattern: '^[a-z]+$', x-error-code: name_invalid }
paths:
  /things:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [text, count]
              additionalProperties: false
              properties:
                text: { type: string, minLength: 1 }
                count: { type: integer, minimum: 1 }
                name: { $ref: '#/components/schemas/Name' }
                items: { type: array, items: { type: object, required: [id], properties: { id: { type: string } } } }
      responses: { '200': { description: ok } }
`;

describe('request bodies checked against the OpenAPI description', () => {
  it('answers 400 with a code that names the field, from the schema alone', async () => {
    // Inside the package, so that the code's own requires (ajv's runtime, the formats) resolve.
    const dir = mkdtempSync(fileURLToPath(new URL('./.tmp-openapi-', import.meta.url)));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'validators.cjs'), validatorsCode(SPEC));
    const schemas = new RequestSchemas(join(dir, 'validators.cjs'));
    const app = express();
    app.post('/things', jsonBody(10_000), schemas.body('/things', 'post'), (_req, res) => res.json({ ok: true }));
    app.post('/import', jsonBody(10_000), schemas.body('/things', 'post', 'invalid_import'), (_req, res) =>
      res.json({ ok: true }),
    );
    app.use(errorHandler(createLogger('test', 'silent')));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const address = server.address();
    const base = `http://127.0.0.1:${String(typeof address === 'object' && address ? address.port : 0)}`;
    const send = async (path: string, body: unknown): Promise<[number, string, string]> => {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as { error?: { code: string; message: string } };
      return [res.status, json.error?.code ?? 'ok', json.error?.message ?? ''];
    };
    try {
      expect(await send('/things', { text: 'a', count: 1, name: 'abc', items: [{ id: 'x' }] })).toEqual([
        200,
        'ok',
        '',
      ]);
      expect(await send('/things', { count: 1 })).toEqual([400, 'text_required', 'text is required']);
      expect(await send('/things', { text: 5, count: 1 })).toEqual([400, 'text_not_string', 'text must be string']);
      expect((await send('/things', { text: '', count: 1 }))[1]).toBe('text_empty');
      expect((await send('/things', { text: 'a', count: 0 }))[1]).toBe('count_invalid');
      expect((await send('/things', { text: 'a', count: 1, name: 'ABC' }))[1]).toBe('name_invalid');
      expect((await send('/things', { text: 'a', count: 1, other: 1 }))[1]).toBe('invalid_body');
      expect((await send('/things', [1]))[1]).toBe('invalid_body');
      expect(await send('/import', { text: 'a', count: 1, items: [{ id: 'x' }, {}] })).toEqual([
        400,
        'invalid_import',
        'items[1].id is required',
      ]);
      expect(() => schemas.body('/nothing', 'post')).toThrow(/no JSON body for POST \/nothing/);
    } finally {
      server.close();
    }
  });
});
