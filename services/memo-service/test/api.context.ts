import { createLogger, createRedis, waitReady, type RedisClient, type ServiceHandle } from '@memo/common';
import { afterAll, beforeAll, expect } from 'vitest';
import { OPENAPI_FILE } from '../src/routes.js';
import { installOpenApiCheck } from '@memo/testing/openapi';
import { sessionKeys, uniqueUser, type KeyPair } from '@memo/testing/env';
import { sessionCookie, startMemo } from '@memo/testing/services';

/** A memo as the API answers it. */
export interface ApiMemo {
  id: string;
  text: string;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface Init {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** What the API suites share: a memo-service and its Redis, users, and calls with their checks. */
export interface ApiContext {
  /** The service under test (set before the suite's tests run). */
  memo: ServiceHandle;
  /** Its Redis, to look at what was stored. */
  redis: RedisClient;
  keys: KeyPair;
  /** A new user with a live session: their id and session cookie. */
  user: () => Promise<{ id: string; cookie: string }>;
  call: (path: string, cookie: string, init?: Init) => Promise<Response>;
  post: (cookie: string, body: string, contentType?: string, path?: string) => Promise<Response>;
  /** The answer is a JSON error with this status and code, and a message. */
  expectError: (res: Response, status: number, code: string) => Promise<void>;
}

/**
 * Starts memo-service where `env` says (small limits, so the suites reach them) before the
 * suite's tests and stops it after; every answer is checked against the OpenAPI description.
 */
export function apiContext(env: () => NodeJS.ProcessEnv): ApiContext {
  let restoreFetch: () => void = () => undefined;
  const ctx: ApiContext = {
    memo: undefined as unknown as ServiceHandle,
    redis: undefined as unknown as RedisClient,
    keys: sessionKeys(),
    user: async () => {
      const id = uniqueUser();
      return { id, cookie: await sessionCookie(ctx.keys, id, ctx.redis) };
    },
    call: (path, cookie, init = {}) => {
      return fetch(`${ctx.memo.url}${path}`, { ...init, headers: { cookie, ...init.headers } });
    },
    post: (cookie, body, contentType = 'application/json', path = '/') => {
      return ctx.call(path, cookie, { method: 'POST', body, headers: { 'content-type': contentType } });
    },
    expectError: async (res, status, code) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(0);
    },
  };
  beforeAll(async () => {
    ctx.memo = await startMemo(ctx.keys, {
      ...env(),
      MEMO_MAX_LENGTH: '50',
      BODY_LIMIT_BYTES: '2048',
      PAGE_DEFAULT: '3',
      PAGE_MAX: '5',
    });
    const where = env();
    ctx.redis = createRedis(
      { REDIS_URL: new URL(where.REDIS_URL ?? ''), REDIS_CLUSTER: where.REDIS_CLUSTER === 'true' },
      createLogger('test', 'silent'),
    );
    await waitReady(ctx.redis);
    // Every answer memo-service gives is checked against its OpenAPI description.
    restoreFetch = installOpenApiCheck(OPENAPI_FILE, () => ctx.memo.url);
  });
  afterAll(async () => {
    restoreFetch();
    await ctx.memo.close();
    ctx.redis.disconnect();
  });
  return ctx;
}
