import { readFileSync } from 'node:fs';
import type { ServiceHandle } from '@memo/common';
import { validatorsCode } from '@memo/common/openapi-code';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RateLimiter, SessionVerifier } from '@memo/common';
import type { Admission } from '../src/admission.js';
import { OPENAPI_FILE, VALIDATORS_FILE, memoRoutes } from '../src/routes.js';
import type { MemoStore } from '@memo/store';
import { describedOperations, openApiCheck, routerOperations } from '@memo/testing/openapi';
import { sessionKeys } from '@memo/testing/env';
import { startMemo } from '@memo/testing/services';

/** memo-service's OpenAPI 3.1 description: served, complete, and a check that can fail. */

const keys = sessionKeys();
let memo: ServiceHandle;
beforeAll(async () => {
  memo = await startMemo(keys);
});
afterAll(async () => {
  await memo.close();
});

describe('the OpenAPI description', () => {
  it('is served by memo-service without a session, and describes every route it has', async () => {
    const res = await fetch(`${memo.url}/openapi.yaml`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/yaml/);
    const spec = parse(await res.text()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(spec.openapi).toBe('3.1.0');
    // Every route express has, as the router itself lists them.
    const { router } = memoRoutes({
      store: {} as MemoStore,
      verifier: {} as SessionVerifier,
      limits: {
        MEMO_MAX_LENGTH: 10,
        MEMO_MAX_COUNT: 10,
        BODY_LIMIT_BYTES: 10_000,
        IMPORT_LIMIT_BYTES: 10_000,
        PAGE_DEFAULT: 1,
        PAGE_MAX: 1,
        TRASH_DAYS: 30,
        HISTORY_VERSIONS: 20,
      },
      writes: { middleware: () => () => undefined } as unknown as RateLimiter,
      admission: {} as Admission,
    });
    const routed = routerOperations(router);
    expect(routed.length).toBeGreaterThan(8);
    expect(describedOperations(OPENAPI_FILE)).toEqual(routed);
  });

  it('refuses answers outside it (the check the API tests run can fail)', () => {
    const check = openApiCheck(OPENAPI_FILE);
    const memoBody = JSON.stringify({ id: 'm0000000000abc', text: 'x', createdAt: null, updatedAt: null });
    expect(() => check.check('POST', '/', 201, 'application/json', memoBody)).not.toThrow();
    expect(() => check.check('POST', '/', 201, 'application/json', JSON.stringify({ id: 'm0000000000abc' }))).toThrow(
      /outside/,
    );
    expect(() => check.check('POST', '/', 201, 'text/html', '<p>hi</p>')).toThrow(/not among/);
    expect(() => check.check('GET', '/export/extra', 200, 'application/json', '{}')).toThrow(/no such operation/);
    expect(() =>
      check.check(
        'DELETE',
        '/m0000000000abc',
        404,
        'application/json',
        JSON.stringify({ error: { code: 'not_found' } }),
      ),
    ).toThrow(/outside/);
    expect(() => check.check('DELETE', '/m0000000000abc', 204, '', '')).not.toThrow();
  });

  it('has its request-body validators written from it as it is now (npm run openapi)', () => {
    const written = readFileSync(VALIDATORS_FILE, 'utf8');
    const expected = validatorsCode(readFileSync(OPENAPI_FILE, 'utf8'));
    expect(written === expected, 'api/openapi.validators.cjs is out of date: run `npm run openapi`').toBe(true);
    expect(written).toMatch(/exports\.operations = \{"post \/":"v\d+"/);
  });
});
