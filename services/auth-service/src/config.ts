import { ConfigError, int, loadConfig, oneOf, redisSpec, serviceSpec, str, url, type ConfigOf } from '@memo/common';

export const spec = {
  ...serviceSpec,
  ...redisSpec,
  /** The site as people reach it, e.g. https://memo.example.com/ (its path is the base path). */
  PUBLIC_URL: url(),
  /** ES256 private key (PKCS#8 PEM or JWK) that signs session cookies; only auth-service has it. */
  SESSION_PRIVATE_KEY: str(),
  SESSION_TTL_SECONDS: int({ default: 7 * 24 * 3600, min: 60, max: 90 * 24 * 3600 }),
  /** Sessions (devices) one user may have at once; a new one beyond signs the oldest out. */
  SESSION_MAX_PER_USER: int({ default: 10, min: 1, max: 1_000 }),
  NAVER_CLIENT_ID: str(),
  NAVER_CLIENT_SECRET: str(),
  /** Where the browser is sent to log in (the real Naver unless a stand-in is configured). */
  NAVER_AUTHORIZE_URL: url({ default: 'https://nid.naver.com/oauth2.0/authorize' }),
  NAVER_TOKEN_URL: url({ default: 'https://nid.naver.com/oauth2.0/token' }),
  NAVER_PROFILE_URL: url({ default: 'https://openapi.naver.com/v1/nid/me' }),
  /** Naver's token revoke, called when a person deletes their account. */
  NAVER_REVOKE_URL: url({ default: 'https://nid.naver.com/oauth2.0/revoke' }),
  /**
   * After an account is deleted its text stays in Redis's append-only file until a rewrite:
   * one is asked for at most this often (seconds; 0: after every deletion).
   */
  /**
   * What Naver's unlink notice (연결끊기: the person withdrew consent at Naver) does: `delete`
   * the account as 회원 탈퇴 does, or `keep` the memos and only end every session.
   */
  NAVER_UNLINK_ACTION: oneOf(['delete', 'keep'] as const, 'delete'),
  /** How far an unlink notice's timestamp may be from now, in seconds (and how long its signature is remembered). */
  NAVER_UNLINK_WINDOW_SECONDS: int({ default: 300, min: 10, max: 3_600 }),
  AOF_REWRITE_INTERVAL_SECONDS: int({ default: 600, min: 0, max: 86_400 }),
  NAVER_TIMEOUT_MS: int({ default: 5_000, min: 100, max: 60_000 }),
  /** How long a login may take at Naver; its state waits in Redis that long at most. */
  LOGIN_STATE_TTL_SECONDS: int({ default: 300, min: 30, max: 3_600 }),
  /** Logins started per client (IPv4 address, or IPv6 /64) per minute; 0 turns the limit off. */
  LOGIN_RATE_LIMIT: int({ default: 30, min: 0 }),
  /**
   * Logins in progress kept at most (login-state.ts): beyond, a new one pushes out the oldest,
   * so the login state in Redis is bounded (~150 bytes each) and nobody is refused.
   */
  LOGIN_STATE_MAX: int({ default: 10_000, min: 10, max: 1_000_000 }),
};

export type Config = ConfigOf<typeof spec>;

export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = loadConfig(spec, env);
  if (!config.PUBLIC_URL.pathname.endsWith('/')) config.PUBLIC_URL.pathname += '/';
  if (config.PUBLIC_URL.search || config.PUBLIC_URL.hash) {
    throw new ConfigError('PUBLIC_URL', 'must not have a query or fragment');
  }
  return config;
}
