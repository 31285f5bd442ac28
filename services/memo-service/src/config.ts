import {
  ConfigError,
  bool,
  int,
  loadConfig,
  optionalStr,
  optionalUrl,
  redisSpec,
  serviceSpec,
  type ConfigOf,
} from '@memo/common';

export const spec = {
  ...serviceSpec,
  ...redisSpec,
  /** auth-service's public key (PEM or JWK): memo-service verifies sessions, never mints them. */
  SESSION_PUBLIC_KEY: optionalStr(),
  /** Or where auth-service publishes it (its /jwks.json); one of the two is required. */
  SESSION_JWKS_URL: optionalUrl(),
  MEMO_MAX_LENGTH: int({ default: 10_000, min: 1, max: 1_000_000 }),
  BODY_LIMIT_BYTES: int({ default: 100_000, min: 1_024, max: 10_000_000 }),
  PAGE_DEFAULT: int({ default: 20, min: 1, max: 1_000 }),
  PAGE_MAX: int({ default: 100, min: 1, max: 1_000 }),
  /** Memos one user may keep, and UTF-8 bytes of memo text (see the README for the arithmetic). */
  MEMO_MAX_COUNT: int({ default: 1_000, min: 1, max: 10_000_000 }),
  MEMO_MAX_BYTES: int({ default: 256 * 1024, min: 1_024, max: 1024 ** 3 }),
  /** Days a deleted memo stays in the trash, restorable (counted in the usage); 0: deletes are final. */
  TRASH_DAYS: int({ default: 30, min: 0, max: 365 }),
  /** Earlier versions an edited memo keeps (counted in the bytes); 0: edits keep none. */
  HISTORY_VERSIONS: int({ default: 20, min: 0, max: 100 }),
  /**
   * Share links (공유): a read-only link to one memo for anyone who has it. Off: no link can be
   * made, and none opens (they open again when it is turned back on, unless they expired).
   */
  SHARING: bool(true),
  /** Share links one user may have at once. */
  SHARE_MAX: int({ default: 100, min: 1, max: 10_000 }),
  /** Share links opened per client (IPv4 address or IPv6 /64) per minute; 0 turns the limit off. */
  SHARE_OPEN_RATE_LIMIT: int({ default: 60, min: 0 }),
  /** Memo writes (add, edit, delete) per user per minute; 0 turns the limit off. */
  MEMO_WRITE_RATE_LIMIT: int({ default: 120, min: 0 }),
  /**
   * Serve GET / and POST / through the fast lane (the same handlers without express's router;
   * docs/decisions.md). Off: everything goes through express, which answers alike.
   */
  FAST_LANE: bool(true),
  /** The largest import (an export file, or a text/Markdown file), in bytes. */
  IMPORT_LIMIT_BYTES: int({ default: 2_000_000, min: 1_024, max: 100_000_000 }),
  /** Heavy requests (export, import, tag rename) one process runs at once; one per user always. */
  HEAVY_MAX_PER_PROCESS: int({ default: 2, min: 1, max: 64 }),
  /** A heavy request is ended after this long, whatever the client does (a slow reader, say). */
  HEAVY_DEADLINE_MS: int({ default: 60_000, min: 1_000, max: 3_600_000 }),
};

export type Config = ConfigOf<typeof spec>;

export function loadMemoConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = loadConfig(spec, env);
  if (!config.SESSION_PUBLIC_KEY === !config.SESSION_JWKS_URL) {
    throw new ConfigError('SESSION_PUBLIC_KEY', 'set exactly one of SESSION_PUBLIC_KEY and SESSION_JWKS_URL');
  }
  if (config.PAGE_DEFAULT > config.PAGE_MAX) {
    throw new ConfigError('PAGE_DEFAULT', `must not exceed PAGE_MAX (${config.PAGE_MAX})`);
  }
  if (config.BODY_LIMIT_BYTES < config.MEMO_MAX_LENGTH) {
    throw new ConfigError('BODY_LIMIT_BYTES', `must be at least MEMO_MAX_LENGTH (${config.MEMO_MAX_LENGTH})`);
  }
  if (config.MEMO_MAX_BYTES < config.MEMO_MAX_LENGTH) {
    throw new ConfigError(
      'MEMO_MAX_BYTES',
      `must be at least MEMO_MAX_LENGTH (${config.MEMO_MAX_LENGTH}): one memo must fit`,
    );
  }
  return config;
}
