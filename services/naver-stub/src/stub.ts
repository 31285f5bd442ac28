import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { unlinkNotice } from './unlink.js';
import { findUser, SCENARIOS, USERS, type TestUser } from './users.js';

/**
 * The Naver stand-in: the three Naver Login endpoints memo calls, in Naver's own shapes
 * (including the awkward ones), and a page to pick a test user. Dev, tests and kind only.
 */

export interface StubOptions {
  clientId: string;
  clientSecret: string;
  /** How long the "slow" scenario keeps the token call waiting. */
  slowMs: number;
  /** Where "연동 해제" sends the unlink notice (the app's 연결끊기 Callback URL). */
  unlinkUrl?: URL;
}

interface Grant {
  user: TestUser;
  clientId: string;
  redirectUri: string;
  expires: number;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function param(req: Request, name: string): string | undefined {
  const body: unknown = req.body;
  const fromBody = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  const value = fromBody ?? req.query[name];
  return typeof value === 'string' ? value : undefined;
}

/** A page of the stand-in, in its plain style. */
function shell(title: string, body: string): string {
  return `<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{color:#03c75a;font-size:1.4rem} form{display:grid;gap:.5rem;margin:1rem 0}
button{font-size:1rem;padding:.7rem;border:1px solid #03c75a;border-radius:.4rem;background:#fff;cursor:pointer}
</style></head><body>
<h1>${title}</h1>
${body}
</body></html>`;
}

function page(clientId: string, redirectUri: string, state: string, reprompt = false): string {
  const hidden = (name: string, value: string): string =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const fields = hidden('client_id', clientId) + hidden('redirect_uri', redirectUri) + hidden('state', state);
  const button = (u: TestUser): string =>
    `<button type="submit" name="user" value="${escapeHtml(u.key)}">${escapeHtml(u.label)}</button>`;
  return `<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>네이버 로그인 (테스트용)</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{color:#03c75a;font-size:1.4rem} form{display:grid;gap:.5rem;margin:1rem 0}
button{font-size:1rem;padding:.7rem;border:1px solid #03c75a;border-radius:.4rem;background:#fff;cursor:pointer}
button:hover,button:focus{background:#e8f9ef} .cancel{border-color:#999} details{margin-top:1.5rem}
</style></head><body>
<h1>네이버 로그인 (테스트용)</h1>
<p>개발과 테스트를 위한 네이버 대역입니다. 로그인할 사용자를 고르세요.</p>
${reprompt ? '<p id="reprompt"><strong>다시 동의 요청:</strong> 이전에 제공하지 않은 정보(이름)에 다시 동의할지 묻습니다.</p>' : ''}
<form method="post" action="authorize">${fields}
${USERS.map(button).join('\n')}
<button type="submit" name="user" value="__cancel" class="cancel">취소 (동의하지 않음)</button>
</form>
<p><a href="unlink">네이버에서 연동 해제하기 (연결끊기 알림 보내기)</a></p>
<details><summary>실패 시나리오</summary>
<form method="post" action="authorize">${fields}
${SCENARIOS.map(button).join('\n')}
</form></details>
</body></html>`;
}

function oauthRedirect(redirectUri: string, params: Record<string, string>): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

export function stubRoutes(opts: StubOptions): Router {
  const grants = new Map<string, Grant>();
  const tokens = new Map<string, TestUser>();
  /** Refresh token → its access token; revoked tokens, for tests to see (bounded: the stand-in is for dev). */
  const refreshed = new Map<string, string>();
  const revoked: string[] = [];
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb' }));

  router.get('/oauth2.0/authorize', (req, res) => {
    const clientId = param(req, 'client_id');
    const redirectUri = param(req, 'redirect_uri');
    const state = param(req, 'state');
    if (param(req, 'response_type') !== 'code' || clientId !== opts.clientId || !redirectUri || !state) {
      res
        .status(400)
        .type('text/plain')
        .send('invalid_request: response_type, client_id, redirect_uri and state are required');
      return;
    }
    res
      .type('html')
      .set('Cache-Control', 'no-store')
      .send(page(clientId, redirectUri, state, param(req, 'auth_type') === 'reprompt'));
  });

  router.post('/oauth2.0/authorize', (req, res) => {
    const redirectUri = param(req, 'redirect_uri');
    const state = param(req, 'state') ?? '';
    const clientId = param(req, 'client_id') ?? '';
    if (!redirectUri || !URL.canParse(redirectUri)) {
      res.status(400).type('text/plain').send('invalid redirect_uri');
      return;
    }
    const key = param(req, 'user') ?? '';
    if (key === '__cancel') {
      res.redirect(
        302,
        oauthRedirect(redirectUri, { state, error: 'access_denied', error_description: 'Canceled By User' }),
      );
      return;
    }
    const user = findUser(key);
    if (!user) {
      res.status(400).type('text/plain').send('unknown user');
      return;
    }
    const code = randomBytes(12).toString('base64url');
    grants.set(code, { user, clientId, redirectUri, expires: Date.now() + 600_000 });
    res.redirect(302, oauthRedirect(redirectUri, { code, state }));
  });

  router.all('/oauth2.0/token', async (req: Request, res: Response) => {
    const code = param(req, 'code') ?? '';
    const grant = grants.get(code);
    grants.delete(code);
    if (param(req, 'grant_type') !== 'authorization_code') {
      res.json({ error: 'unsupported_grant_type', error_description: 'grant_type is missing or unsupported' });
      return;
    }
    if (param(req, 'client_id') !== opts.clientId || param(req, 'client_secret') !== opts.clientSecret) {
      res.json({ error: 'invalid_request', error_description: 'wrong client id / client secret pair' });
      return;
    }
    // Naver answers a bad or reused code with HTTP 200 and an error body.
    if (!grant || grant.expires < Date.now() || grant.clientId !== opts.clientId) {
      res.json({ error: 'invalid_request', error_description: 'no valid data in session' });
      return;
    }
    switch (grant.user.scenario) {
      case 'token_error':
        res.json({ error: 'invalid_request', error_description: 'no valid data in session' });
        return;
      case 'token_500':
        res.status(500).type('html').send('<html><body>Internal Server Error</body></html>');
        return;
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, opts.slowMs));
        break;
      default:
        break;
    }
    const accessToken = randomBytes(24).toString('base64url');
    const refreshToken = randomBytes(24).toString('base64url');
    tokens.set(accessToken, grant.user);
    refreshed.set(refreshToken, accessToken);
    res.json({
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: '3600',
    });
  });

  router.get('/v1/nid/me', (req, res) => {
    const header = req.headers.authorization;
    if (!header) {
      res.status(401).json({ resultcode: '028', message: 'Authentication failed (인증 실패하였습니다.)' });
      return;
    }
    const user = tokens.get(header.replace(/^Bearer\s+/i, ''));
    if (!user || user.scenario === 'profile_024') {
      res.status(401).json({ resultcode: '024', message: 'Authentication failed (인증 실패하였습니다.)' });
      return;
    }
    if (user.scenario === 'profile_500') {
      res.status(500).json({ resultcode: '500', message: 'Internal Server Error (시스템 오류)' });
      return;
    }
    const response: Record<string, unknown> = { id: user.id };
    if (user.nickname) response.nickname = user.nickname;
    if (user.name) response.name = user.name;
    if (user.email) response.email = user.email;
    res.json({ resultcode: '00', message: 'success', response });
  });

  /**
   * Naver's token revoke: `client_id`, `client_secret`, `token`, optional `token_type_hint`.
   * 200 with an empty body when revoked, and also for a token already revoked or unknown; 401
   * for a wrong client, 400 without a token. A revoked refresh token takes its access token
   * with it, and a revoked access token no longer reads the profile.
   */
  router.post('/oauth2.0/revoke', (req, res) => {
    if (param(req, 'client_id') !== opts.clientId || param(req, 'client_secret') !== opts.clientSecret) {
      res.status(401).json({ error: 'invalid_client', error_description: 'wrong client id / client secret pair' });
      return;
    }
    const token = param(req, 'token');
    if (!token) {
      res.status(400).json({ error: 'invalid_request', error_description: 'token is required' });
      return;
    }
    const access = refreshed.get(token);
    if (access !== undefined) {
      refreshed.delete(token);
      tokens.delete(access);
    }
    tokens.delete(token);
    revoked.push(token);
    if (revoked.length > 1_000) revoked.shift();
    res.status(200).end();
  });

  /**
   * 연동 해제: what a person does in their Naver account settings. The stand-in then sends the
   * app Naver's unlink notice (form-encoded), signed with the client secret.
   */
  router.get('/unlink', (_req, res) => {
    const button = (u: TestUser): string =>
      `<button type="submit" name="user" value="${escapeHtml(u.key)}">${escapeHtml(u.label)}</button>`;
    res
      .type('html')
      .set('Cache-Control', 'no-store')
      .send(
        shell(
          '네이버 연동 해제 (테스트용)',
          `<p>연동을 해제할 사용자를 고르세요. memo에 연결끊기 알림을 보냅니다.</p>
<form method="post" action="unlink">${USERS.map(button).join('\n')}</form>`,
        ),
      );
  });

  router.post('/unlink', async (req, res) => {
    const user = findUser(param(req, 'user') ?? '');
    if (!user || !opts.unlinkUrl) {
      res
        .status(400)
        .type('text/plain')
        .send(user ? 'no unlink callback URL is configured' : 'unknown user');
      return;
    }
    const notice = unlinkNotice(opts.clientId, opts.clientSecret, String(user.id));
    let status = 0;
    try {
      const answer = await fetch(opts.unlinkUrl, {
        method: 'POST',
        body: new URLSearchParams({ ...notice }),
        signal: AbortSignal.timeout(5_000),
      });
      status = answer.status;
    } catch {
      status = 0;
    }
    res
      .status(status === 204 ? 200 : 502)
      .type('html')
      .set('Cache-Control', 'no-store')
      .send(
        shell(
          '네이버 연동 해제 (테스트용)',
          `<p id="result">${escapeHtml(user.label)}: ${status === 204 ? '연동을 해제했습니다.' : '알림이 실패했습니다.'} (HTTP ${String(status)})</p>`,
        ),
      );
  });

  /** Dev and tests: which tokens were revoked, newest last (the stand-in's memory, nothing else). */
  router.get('/_stub/revoked', (_req, res) => {
    res.json({ revoked });
  });

  return router;
}
