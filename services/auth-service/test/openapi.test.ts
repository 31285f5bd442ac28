import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { loadAuthConfig } from '../src/config.js';
import { OPENAPI_FILE, authRoutes, type AuthDeps } from '../src/routes.js';
import { describedOperations, openApiCheck, routerOperations } from '@memo/testing/openapi';

/** auth-service's OpenAPI 3.1 description: complete, and a check that can fail. */

describe("auth-service's OpenAPI description", () => {
  it('describes every route the router has, and nothing else', () => {
    expect((parse(readFileSync(OPENAPI_FILE, 'utf8')) as { openapi: string }).openapi).toBe('3.1.0');
    const config = loadAuthConfig({
      REDIS_URL: 'redis://127.0.0.1:1',
      PUBLIC_URL: 'http://memo.test/',
      SESSION_PRIVATE_KEY: 'unused',
      NAVER_CLIENT_ID: 'c',
      NAVER_CLIENT_SECRET: 's',
    });
    const router = authRoutes({ config, jwks: { keys: [] } } as unknown as AuthDeps);
    const routed = routerOperations(router);
    expect(routed.length).toBeGreaterThan(6);
    expect(describedOperations(OPENAPI_FILE)).toEqual(routed);
  });

  it('refuses answers outside it', () => {
    const check = openApiCheck(OPENAPI_FILE);
    expect(() => check.check('GET', '/me', 200, 'application/json', '{"id":"x","name":"y"}')).not.toThrow();
    expect(() => check.check('GET', '/me', 200, 'application/json', '{"id":"x"}')).toThrow(/outside/);
    expect(() =>
      check.check('DELETE', '/account', 200, 'application/json', '{"deleted":true,"naverLink":"maybe"}'),
    ).toThrow(/outside/);
    expect(() => check.check('GET', '/login', 302, 'text/plain', 'Found. Redirecting to …')).not.toThrow();
  });
});
