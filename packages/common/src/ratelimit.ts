import type { RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { HttpError } from './errors.js';
import type { RedisClient } from './redis.js';
import { rateLimitPrefix } from './keys.js';

/**
 * Rate limits counted in Redis with rate-limiter-flexible, so they hold across replicas. When
 * Redis cannot count (away, or refusing writes at its memory ceiling) each replica counts in
 * its own memory instead (the library's insurance limiter): a request is never let through
 * uncounted, and never refused only because the counter could not be written.
 */
export class RateLimiter {
  private readonly limiter: RateLimiterRedis | undefined;

  /** `points` requests per `durationSeconds` for each subject; 0 turns the limit off. */
  constructor(redis: RedisClient, name: string, points: number, durationSeconds = 60) {
    if (points <= 0) return;
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: rateLimitPrefix(name),
      points,
      duration: durationSeconds,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds }),
    });
  }

  /** Whether it counts at all (a limit of 0 turns it off). */
  get enabled(): boolean {
    return this.limiter !== undefined;
  }

  /** Counts one hit for `subject`; throws 429 with Retry-After once the limit is passed. */
  async hit(subject: string): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(subject);
    } catch (rejected) {
      if (!(rejected instanceof RateLimiterRes)) throw rejected;
      throw new HttpError(429, 'rate_limited', 'Too many requests, please wait a moment', {
        'Retry-After': String(Math.max(1, Math.ceil(rejected.msBeforeNext / 1000))),
      });
    }
  }

  /** Middleware form: `subject` picks who is counted (a client, a user id). */
  middleware(subject: (req: Parameters<RequestHandler>[0]) => string): RequestHandler {
    return async (req, _res, next) => {
      await this.hit(subject(req));
      next();
    };
  }
}
