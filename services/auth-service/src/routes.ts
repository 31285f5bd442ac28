import { fileURLToPath } from 'node:url';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import {
  HttpError,
  openApiDescription,
  SESSION_COOKIE,
  clientKey,
  isRedisFull,
  isRedisUnavailable,
  readCookie,
  serializeCookie,
  unauthorized,
  unlinkSeenKey,
  type Logger,
  type RateLimiter,
  type RedisClient,
  type SessionVerifier,
} from '@memo/common';
import type { JWK } from 'jose';
import type { AccountEraser } from './account.js';
import type { Config } from './config.js';
import type { LoginStates } from './login-state.js';
import type { NaverTokenStore } from './tokens.js';
import { NaverError, type NaverClient } from './naver.js';
import type { SessionIssuer } from './sessions.js';
import { checkUnlink } from './unlink.js';
import type { UserStore } from './users.js';

export const STATE_COOKIE = 'oauth_state';

/** Why a login failed, as the page shows it (`/?login_error=<reason>`). */
export type LoginFailure =
  'access_denied' | 'invalid_state' | 'naver_error' | 'naver_unavailable' | 'rate_limited' | 'unavailable';

export interface AuthDeps {
  config: Config;
  redis: RedisClient;
  naver: NaverClient;
  sessions: SessionIssuer;
  verifier: SessionVerifier;
  users: UserStore;
  /** The user's Naver tokens, encrypted, kept for revoking them at account deletion. */
  tokens: NaverTokenStore;
  /** Deletes an account: revoke at Naver, every key of the user. */
  eraser: AccountEraser;
  /** The public keys that verify our sessions, published for memo-service. */
  jwks: { keys: JWK[] };
  log: Logger;
  onLogin?: (outcome: string) => void;
  /** Logins started per client (address, or IPv6 /64), across replicas. */
  logins: RateLimiter;
  /** Logins in progress, bounded by size (the oldest pushed out, nobody refused). */
  loginStates: LoginStates;
}

/** The API's description (src/ in tests, dist/ in the image: both one level below). */
export const OPENAPI_FILE = fileURLToPath(new URL('../api/openapi.yaml', import.meta.url));

const LOCAL_PATH = /^\/(?![/\\])[^\s\\]{0,511}$/;

/**
 * Where to go after login: only a path of this site (`/…`, never `//host`, `/\\host` or a
 * scheme), resolved against the public URL and checked to stay on its origin.
 */
export function localTarget(next: string | undefined, publicUrl: URL): URL {
  if (next === undefined || !LOCAL_PATH.test(next)) return new URL(publicUrl);
  const target = new URL(next.slice(1), publicUrl);
  return target.origin === publicUrl.origin && target.pathname.startsWith(publicUrl.pathname)
    ? target
    : new URL(publicUrl);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The state holds where to return after login (a local path), or nothing: '' means the page. */
const nextOf = (stored: string | null): string | undefined => (stored ? stored : undefined);

function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value.length <= 2048 ? value : undefined;
}

export function authRoutes(deps: AuthDeps): Router {
  const { config, redis, naver, sessions, verifier, users, log } = deps;
  const publicUrl = config.PUBLIC_URL;
  const secure = publicUrl.protocol === 'https:';
  const basePath = publicUrl.pathname;
  const statePath = `${basePath}auth`;
  const redirectUri = new URL('auth/callback', publicUrl).toString();
  const router = Router();

  const clearState = (res: Response): void => {
    res.append('Set-Cookie', serializeCookie(STATE_COOKIE, '', { path: statePath, secure, maxAgeSeconds: 0 }));
  };

  const clearSession = (res: Response): void => {
    res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { path: basePath, secure, maxAgeSeconds: 0 }));
  };

  /** Back to the page: services behind a stripped prefix redirect only to public URLs. */
  const toPage = (res: Response, failure?: LoginFailure, next?: string): void => {
    const target = localTarget(next, publicUrl);
    if (failure) target.searchParams.set('login_error', failure);
    res.set('Cache-Control', 'no-store').redirect(302, target.toString());
  };

  const fail = (req: Request, res: Response, failure: LoginFailure, detail: string): void => {
    log.warn({ reqId: req.id, failure, detail }, 'login failed');
    deps.onLogin?.(failure);
    clearState(res);
    toPage(res, failure);
  };

  router.get('/login', async (req, res) => {
    const state = randomBytes(24).toString('base64url');
    const next = queryString(req, 'next');
    try {
      await deps.logins.hit(clientKey(req.ip));
      // The state remembers where to return, so `next` cannot be swapped on the way back. It is
      // small (the path, or nothing) and short-lived.
      const stored = localTarget(next, publicUrl).toString() === publicUrl.toString() ? '' : (next ?? '');
      await deps.loginStates.start(state, stored);
    } catch (err) {
      if (err instanceof HttpError && err.status === 429) {
        res.set('Retry-After', err.headers['Retry-After'] ?? '60');
        fail(req, res, 'rate_limited', 'too many logins started');
        return;
      }
      if (!isRedisUnavailable(err) && !isRedisFull(err)) throw err;
      fail(req, res, 'unavailable', 'redis unavailable or full at login');
      return;
    }
    const target = new URL(config.NAVER_AUTHORIZE_URL);
    target.searchParams.set('response_type', 'code');
    target.searchParams.set('client_id', config.NAVER_CLIENT_ID);
    target.searchParams.set('redirect_uri', redirectUri);
    target.searchParams.set('state', state);
    // Asked again for what was declined (Naver's re-consent screen), when the person chose to.
    if (queryString(req, 'reprompt') === '1') target.searchParams.set('auth_type', 'reprompt');
    res.append(
      'Set-Cookie',
      serializeCookie(STATE_COOKIE, state, { path: statePath, secure, maxAgeSeconds: config.LOGIN_STATE_TTL_SECONDS }),
    );
    res.set('Cache-Control', 'no-store').redirect(302, target.toString());
  });

  router.get('/callback', async (req, res) => {
    const state = queryString(req, 'state');
    const browserState = readCookie(req.headers.cookie, STATE_COOKIE);
    const error = queryString(req, 'error');
    const stateOk = state !== undefined && browserState !== undefined && sameSecret(state, browserState);
    try {
      // Single use: the state is consumed whatever happens next.
      const stored = stateOk ? await deps.loginStates.take(state) : null;
      const known = stored !== null;
      if (error !== undefined) {
        const detail = `${error}: ${queryString(req, 'error_description') ?? ''}`;
        return fail(req, res, error === 'access_denied' ? 'access_denied' : 'naver_error', detail);
      }
      if (!stateOk) return fail(req, res, 'invalid_state', state ? 'state does not match this browser' : 'no state');
      if (!known) return fail(req, res, 'invalid_state', 'state unknown, expired or already used');
      const code = queryString(req, 'code');
      if (!code || code.length > 512) return fail(req, res, 'naver_error', 'callback without a code');

      const naverTokens = await naver.exchangeCode(code, state, req.id);
      const profile = await naver.profile(naverTokens.accessToken, req.id);
      await users.save(profile);
      await deps.tokens.save(profile.id, naverTokens);
      const token = await sessions.create(profile.id);
      clearState(res);
      res.append(
        'Set-Cookie',
        serializeCookie(SESSION_COOKIE, token, { path: basePath, secure, maxAgeSeconds: config.SESSION_TTL_SECONDS }),
      );
      log.info({ reqId: req.id }, 'login succeeded');
      deps.onLogin?.('success');
      toPage(res, undefined, nextOf(stored));
    } catch (err) {
      if (err instanceof NaverError) {
        return fail(req, res, err.code === 'naver_unavailable' ? 'naver_unavailable' : 'naver_error', err.detail);
      }
      if (isRedisUnavailable(err) || isRedisFull(err)) {
        return fail(req, res, 'unavailable', 'redis unavailable or full at callback');
      }
      throw err;
    }
  });

  // This service's OpenAPI 3.1 description (api/openapi.yaml).
  router.get('/openapi.yaml', openApiDescription(OPENAPI_FILE));

  router.get('/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(deps.jwks);
  });

  /** Who is logged in: the person, or null; nameDeclined lets the page ask, once, to share it. */
  const whoIs = async (req: Request): Promise<{ id: string; name: string; nameDeclined?: true } | null> => {
    const session = await verifier.verify(readCookie(req.headers.cookie, SESSION_COOKIE));
    if (!session) return null;
    const { name, declined } = await users.profile(session.userId);
    return { id: session.userId, name, ...(declined ? { nameDeclined: true as const } : {}) };
  };

  // GET /me: the person, or 401 (the API's contract). GET /session: the same or null, never an
  // error, so that a logged-out visit to the page logs nothing red in the browser's console.
  router.get('/me', async (req, res) => {
    const me = await whoIs(req);
    if (!me) throw unauthorized();
    res.set('Cache-Control', 'no-store').json(me);
  });
  router.get('/session', async (req, res) => {
    res.set('Cache-Control', 'no-store').json({ user: await whoIs(req) });
  });

  /**
   * DELETE /account — 회원 탈퇴: Naver's token revoked, every key of the user gone (memos,
   * profile, sessions on every device, tokens, counters), the cookie cleared.
   */
  router.delete('/account', async (req, res) => {
    const session = await verifier.verify(readCookie(req.headers.cookie, SESSION_COOKIE));
    if (!session) throw unauthorized();
    const naverLink = await deps.eraser.erase(session.userId, req.id);
    clearSession(res);
    res.set('Cache-Control', 'no-store').json({ deleted: true, naverLink });
  });

  /**
   * POST /naver/unlink — Naver's 연결끊기 Callback. Verified (client id, signature, timestamp
   * window, never twice), then the account is deleted or its sessions ended, as configured.
   * Answers 204; Naver never retries, so a refusal is only logged there.
   */
  const unlinkBody = [
    express.urlencoded({ extended: false, limit: '4kb' }),
    express.json({ limit: '4kb', type: 'application/json' }),
  ];
  router.post('/naver/unlink', ...unlinkBody, async (req, res) => {
    const window = config.NAVER_UNLINK_WINDOW_SECONDS;
    const check = checkUnlink(req.body, config.NAVER_CLIENT_ID, config.NAVER_CLIENT_SECRET, window);
    if (!check.ok) {
      log.warn({ reqId: req.id, reason: check.reason }, 'naver unlink notice refused');
      throw new HttpError(
        check.reason === 'malformed' ? 400 : 401,
        `unlink_${check.reason}`,
        'The unlink notice could not be verified',
      );
    }
    // Told apart by the MAC's bytes, not its spelling: a re-encoded signature is the same notice.
    const seen = check.mac.toString('base64url');
    if ((await redis.set(unlinkSeenKey(seen), '1', 'EX', window * 2, 'NX')) === null) {
      log.warn({ reqId: req.id }, 'naver unlink notice replayed');
      throw new HttpError(409, 'unlink_replayed', 'This unlink notice was already handled');
    }
    if (config.NAVER_UNLINK_ACTION === 'delete') await deps.eraser.erase(check.userId, req.id, { revoke: false });
    else await deps.eraser.signOut(check.userId, req.id);
    deps.onLogin?.('unlinked');
    res.status(204).end();
  });

  router.post('/logout', async (req, res) => {
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    const session = token ? await verifier.verifyToken(token) : null;
    if (session) await sessions.revoke(session.userId, session.sessionId);
    clearSession(res);
    res.set('Cache-Control', 'no-store').status(204).end();
  });

  return router;
}
