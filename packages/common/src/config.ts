import {
  EnvMissingError,
  bool as envBool,
  cleanEnv,
  makeValidator,
  type CleanedEnv,
  type ValidatorSpec,
} from 'envalid';
import { parseTrustProxy, type TrustProxy } from './client.js';

/**
 * One config loader for every service, on envalid: environment variables are declared once
 * with their type and default, validated at start, and a bad value stops the service with one
 * line that names the variable. Blank values count as unset, and values are trimmed.
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

export type Field<T> = ValidatorSpec<T>;
export type Spec = Record<string, Field<unknown>>;
export type ConfigOf<S extends Spec> = CleanedEnv<S>;

/** A string, optionally matching `pattern`. */
export function str(opts: { default?: string; pattern?: RegExp } = {}): Field<string> {
  const { pattern } = opts;
  const validator = makeValidator<string>((value) => {
    if (pattern && !pattern.test(value)) throw new Error(`must match ${String(pattern)}`);
    return value;
  });
  return opts.default === undefined ? validator() : validator({ default: opts.default });
}

/** A string that may be absent: the service decides what absence means. */
export function optionalStr(): Field<string | undefined> {
  return makeValidator<string>((value) => value)({ default: undefined });
}

const wholeNumber = (value: string): number => {
  if (!/^-?\d+$/.test(value)) throw new Error(`must be a whole number, got "${value}"`);
  return Number(value);
};

export function int(opts: { default?: number; min?: number; max?: number } = {}): Field<number> {
  const validator = makeValidator<number>((value) => {
    const n = wholeNumber(value);
    if (opts.min !== undefined && n < opts.min) throw new Error(`must be at least ${String(opts.min)}`);
    if (opts.max !== undefined && n > opts.max) throw new Error(`must be at most ${String(opts.max)}`);
    return n;
  });
  return opts.default === undefined ? validator() : validator({ default: opts.default });
}

function urlValidator(protocols: readonly string[]): (spec?: { default?: URL | undefined }) => Field<URL> {
  return makeValidator<URL>((value) => {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new Error(`must be a URL, got "${value}"`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new Error(`must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
    }
    return parsed;
  });
}

export function url(opts: { default?: string; protocols?: readonly string[] } = {}): Field<URL> {
  const validator = urlValidator(opts.protocols ?? ['http:', 'https:']);
  return opts.default === undefined ? validator() : validator({ default: new URL(opts.default) });
}

/** A URL that may be absent. */
export function optionalUrl(opts: { protocols?: readonly string[] } = {}): Field<URL | undefined> {
  return urlValidator(opts.protocols ?? ['http:', 'https:'])({ default: undefined });
}

export function oneOf<T extends string>(values: readonly T[], def?: T): Field<T> {
  const validator = makeValidator<T>((value) => {
    if (!(values as readonly string[]).includes(value)) {
      throw new Error(`must be one of ${values.join(', ')}, got "${value}"`);
    }
    return value as T;
  });
  return def === undefined ? validator() : validator({ default: def });
}

/** true/false (also 1/0, yes/no, on/off: what envalid's bool takes). */
export function bool(def = false): Field<boolean> {
  return envBool({ default: def });
}

/** Whom to believe about the client's address (see parseTrustProxy); default: nobody. */
export function trustProxy(): Field<TrustProxy> {
  return makeValidator<TrustProxy>(parseTrustProxy)({ default: false });
}

/** Blank values count as unset; others are trimmed. */
function tidy(env: Env, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) out[name] = value;
  }
  return out;
}

export function loadConfig<S extends Spec>(spec: S, env: Env = process.env): ConfigOf<S> {
  return cleanEnv(tidy(env, Object.keys(spec)), spec, {
    // The first bad variable, in the order the spec declares them, as one line.
    reporter: ({ errors }) => {
      for (const name of Object.keys(spec)) {
        const err = errors[name];
        if (err) throw new ConfigError(name, err instanceof EnvMissingError ? 'is required but not set' : err.message);
      }
    },
  });
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
  /** The service's own Redis user (ACL, docs/data.md "Redis users"); empty: Redis's `default`. */
  REDIS_USERNAME: optionalStr(),
  REDIS_PASSWORD: optionalStr(),
  /** REDIS_URL is one node of a Redis Cluster (ioredis cluster mode). */
  REDIS_CLUSTER: bool(false),
  /** With a rediss:// REDIS_URL: a PEM file of the CAs that signed Redis's certificate. */
  REDIS_CA_FILE: optionalStr(),
} satisfies Spec;
