import { parseTrustProxy, type TrustProxy } from './client.js';

/**
 * One config loader for every service: environment variables are declared once with their
 * type and default, validated at start, and a bad value stops the service with one line that
 * names the variable.
 */

export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export interface Field<T> {
  readonly parse: (raw: string | undefined, name: string) => T;
}

export type Spec = Record<string, Field<unknown>>;
export type ConfigOf<S extends Spec> = { readonly [K in keyof S]: ReturnType<S[K]['parse']> };

function present(raw: string | undefined): raw is string {
  return raw !== undefined && raw.trim() !== '';
}

function required(name: string): never {
  throw new ConfigError(name, 'is required but not set');
}

export function str(opts: { default?: string; pattern?: RegExp } = {}): Field<string> {
  return {
    parse(raw, name) {
      if (!present(raw)) return opts.default ?? required(name);
      const value = raw.trim();
      if (opts.pattern && !opts.pattern.test(value)) {
        throw new ConfigError(name, `must match ${String(opts.pattern)}`);
      }
      return value;
    },
  };
}

/** A string that may be absent: the service decides what absence means. */
export function optionalStr(): Field<string | undefined> {
  return { parse: (raw) => (present(raw) ? raw.trim() : undefined) };
}

/** A URL that may be absent. */
export function optionalUrl(opts: { protocols?: readonly string[] } = {}): Field<URL | undefined> {
  const parser = url(opts);
  return { parse: (raw, name) => (present(raw) ? parser.parse(raw, name) : undefined) };
}

export function int(opts: { default?: number; min?: number; max?: number } = {}): Field<number> {
  return {
    parse(raw, name) {
      if (!present(raw)) return opts.default ?? required(name);
      const value = raw.trim();
      if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `must be a whole number, got "${value}"`);
      const n = Number(value);
      if (opts.min !== undefined && n < opts.min) throw new ConfigError(name, `must be at least ${opts.min}`);
      if (opts.max !== undefined && n > opts.max) throw new ConfigError(name, `must be at most ${opts.max}`);
      return n;
    },
  };
}

export function url(opts: { default?: string; protocols?: readonly string[] } = {}): Field<URL> {
  const protocols = opts.protocols ?? ['http:', 'https:'];
  return {
    parse(raw, name) {
      const value = present(raw) ? raw.trim() : (opts.default ?? required(name));
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        throw new ConfigError(name, `must be a URL, got "${value}"`);
      }
      if (!protocols.includes(parsed.protocol)) {
        throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
      }
      return parsed;
    },
  };
}

export function oneOf<T extends string>(values: readonly T[], def?: T): Field<T> {
  return {
    parse(raw, name) {
      if (!present(raw)) return def ?? required(name);
      const value = raw.trim() as T;
      if (!values.includes(value)) throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${value}"`);
      return value;
    },
  };
}

export function loadConfig<S extends Spec>(spec: S, env: Env = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(spec)) out[name] = field.parse(env[name], name);
  return out as ConfigOf<S>;
}

export function bool(def = false): Field<boolean> {
  return {
    parse(raw, name) {
      if (!present(raw)) return def;
      const value = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      throw new ConfigError(name, `must be true or false, got "${raw.trim()}"`);
    },
  };
}

/** Whom to believe about the client's address (see parseTrustProxy); default: nobody. */
export function trustProxy(): Field<TrustProxy> {
  return {
    parse(raw, name) {
      try {
        return parseTrustProxy(raw ?? '');
      } catch (err) {
        throw new ConfigError(name, err instanceof Error ? err.message : String(err));
      }
    },
  };
}

/** The variables every service shares: where it listens, its admin port, whom it trusts. */
export const serviceSpec = {
  HOST: str({ default: '0.0.0.0' }),
  PORT: int({ default: 8080, min: 0, max: 65535 }),
  ADMIN_PORT: int({ default: 9090, min: 0, max: 65535 }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
  /**
   * The proxies in front (a hop count, or addresses and networks) whose X-Forwarded-For
   * names the client; empty: none, the peer is the client. The chart sets 1 (the ingress).
   */
  TRUST_PROXY: trustProxy(),
} satisfies Spec;

/** Where Redis is: a URL, and its password kept apart so that it can come from a Secret. */
export const redisSpec = {
  REDIS_URL: url({ protocols: ['redis:', 'rediss:'] }),
  REDIS_PASSWORD: optionalStr(),
  /** REDIS_URL is one node of a Redis Cluster (ioredis cluster mode). */
  REDIS_CLUSTER: bool(false),
} satisfies Spec;
