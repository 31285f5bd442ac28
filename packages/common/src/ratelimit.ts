import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';
import type { RedisClient } from './redis.js';

/**
 * Fixed-window rate limits counted in Redis, so they hold across replicas. One key per
 * subject and window; the first hit of a window sets its expiry.
 */

const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
`;

interface RateLimitCommands {
  rateLimitHit(key: string, windowMs: string): Promise<[number, number]>;
}

export class RateLimiter {
  private readonly redis: RedisClient & RateLimitCommands;

  constructor(
    redis: RedisClient,
    private readonly name: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {
    redis.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT });
    this.redis = redis as RedisClient & RateLimitCommands;
  }

  /** Counts one hit for `subject`; throws 429 with Retry-After once the limit is passed. */
  async hit(subject: string): Promise<void> {
    if (this.limit <= 0) return;
    const window = Math.floor(Date.now() / this.windowMs);
    const [count, ttl] = await this.redis.rateLimitHit(
      `ratelimit:${this.name}:${subject}:${window}`,
      String(this.windowMs),
    );
    if (count > this.limit) {
      const retryAfter = String(Math.max(1, Math.ceil((ttl > 0 ? ttl : this.windowMs) / 1000)));
      throw new HttpError(429, 'rate_limited', 'Too many requests, please wait a moment', {
        'Retry-After': retryAfter,
      });
    }
  }

  /** Middleware form: `subject` picks who is counted (an address, a user id). */
  middleware(subject: (req: Parameters<RequestHandler>[0]) => string): RequestHandler {
    return async (req, _res, next) => {
      await this.hit(subject(req));
      next();
    };
  }
}
