import type { AxiosInstance, AxiosResponse, AxiosStatic } from 'axios';

/**
 * The two server-side calls of Naver Login: exchange the code for a token, read the profile.
 * Every failure becomes a NaverError with a stable code and a detail for the log, including
 * Naver's habit of answering HTTP 200 with an `error` body.
 */

export type NaverErrorCode = 'token_rejected' | 'profile_rejected' | 'revoke_rejected' | 'naver_unavailable';

export class NaverError extends Error {
  constructor(
    readonly code: NaverErrorCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'NaverError';
  }
}

export interface NaverProfile {
  id: string;
  name: string;
  /** False when Naver sent neither a name nor a nickname: the person declined to share them. */
  named: boolean;
}

export interface NaverEndpoints {
  clientId: string;
  clientSecret: string;
  tokenUrl: URL;
  profileUrl: URL;
  /** Naver's token revoke (`POST https://nid.naver.com/oauth2.0/revoke`). */
  revokeUrl: URL;
  timeoutMs: number;
}

export const FALLBACK_NAME = '네이버 사용자';

/** What the token endpoint gives: the access token, and the refresh token when it sends one. */
export interface NaverTokens {
  accessToken: string;
  refreshToken?: string;
}

type Json = Record<string, unknown>;

/** A field of Naver's answer, for a log line. */
function show(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function asObject(data: unknown): Json {
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Json) : {};
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Naver ids are opaque: up to 64 characters for new apps, a number for old ones. */
const NAVER_ID = /^[\w.=+/-]{1,64}$/;

/**
 * axios, loaded at the first call to Naver (a login, a 회원 탈퇴), not at start: an idle
 * auth-service holds ~5.5 MB less resident without it (docs/decisions.md).
 */
let axiosLoaded: Promise<AxiosStatic> | undefined;
const loadAxios = (): Promise<AxiosStatic> => (axiosLoaded ??= import('axios').then((m) => m.default));

export class NaverClient {
  private client: Promise<[AxiosStatic, AxiosInstance]> | undefined;

  constructor(private readonly endpoints: NaverEndpoints) {}

  private async call(
    request: (http: AxiosInstance) => Promise<AxiosResponse<unknown>>,
    what: string,
  ): Promise<AxiosResponse<unknown>> {
    this.client ??= loadAxios().then((axios) => [
      axios,
      axios.create({
        timeout: this.endpoints.timeoutMs,
        validateStatus: () => true,
        maxRedirects: 0,
        responseType: 'json',
        headers: { 'User-Agent': 'memo-auth-service' },
      }),
    ]);
    const [axios, http] = await this.client;
    try {
      return await request(http);
    } catch (err) {
      const reason = axios.isAxiosError(err) ? `${err.code ?? 'error'} ${err.message}` : String(err);
      throw new NaverError('naver_unavailable', `${what}: ${reason}`);
    }
  }

  async exchangeCode(code: string, state: string, requestId: string): Promise<NaverTokens> {
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: this.endpoints.clientId,
      client_secret: this.endpoints.clientSecret,
      code,
      state,
    });
    const res = await this.call(
      (http) =>
        http.post(this.endpoints.tokenUrl.toString(), form.toString(), {
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Request-Id': requestId },
        }),
      'token',
    );
    const body = asObject(res.data);
    if (body.error !== undefined) {
      throw new NaverError(
        'token_rejected',
        `HTTP ${res.status} ${show(body.error)}: ${show(body.error_description ?? '')}`,
      );
    }
    if (res.status >= 500) throw new NaverError('naver_unavailable', `token: HTTP ${res.status}`);
    const token = text(body.access_token);
    if (res.status !== 200 || !token) throw new NaverError('token_rejected', `HTTP ${res.status} without access_token`);
    const refreshToken = text(body.refresh_token);
    return refreshToken ? { accessToken: token, refreshToken } : { accessToken: token };
  }

  /**
   * Revokes a token at Naver: 200 (an empty body) when done, also for a token already revoked;
   * 400/401 are refusals (revoke_rejected), 503 and network failures mean "retry"
   * (naver_unavailable).
   */
  async revoke(token: string, hint: 'access_token' | 'refresh_token', requestId: string): Promise<void> {
    const form = new URLSearchParams({
      client_id: this.endpoints.clientId,
      client_secret: this.endpoints.clientSecret,
      token,
      token_type_hint: hint,
    });
    const res = await this.call(
      (http) =>
        http.post(this.endpoints.revokeUrl.toString(), form.toString(), {
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Request-Id': requestId },
          responseType: 'text',
        }),
      'revoke',
    );
    if (res.status === 200) return;
    if (res.status >= 500) throw new NaverError('naver_unavailable', `revoke: HTTP ${res.status}`);
    throw new NaverError('revoke_rejected', `revoke: HTTP ${res.status} ${show(res.data).slice(0, 200)}`);
  }

  async profile(accessToken: string, requestId: string): Promise<NaverProfile> {
    const res = await this.call(
      (http) =>
        http.get(this.endpoints.profileUrl.toString(), {
          headers: { Authorization: `Bearer ${accessToken}`, 'X-Request-Id': requestId },
        }),
      'profile',
    );
    const body = asObject(res.data);
    const resultcode = text(body.resultcode);
    if (res.status >= 500) throw new NaverError('naver_unavailable', `profile: HTTP ${res.status}`);
    if (res.status !== 200 || resultcode !== '00') {
      throw new NaverError(
        'profile_rejected',
        `HTTP ${res.status} resultcode ${resultcode ?? '-'}: ${show(body.message ?? '')}`,
      );
    }
    const response = asObject(body.response);
    const id = text(response.id);
    if (!id || !NAVER_ID.test(id)) throw new NaverError('profile_rejected', 'profile without a usable id');
    const given = text(response.name) ?? text(response.nickname);
    return { id, name: (given ?? FALLBACK_NAME).slice(0, 100), named: given !== undefined };
  }
}
