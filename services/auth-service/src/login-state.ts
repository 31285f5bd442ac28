import { LOGIN_STATES_KEY, LOGIN_STATE_TIMES_KEY, legacyLoginStateKey, type RedisClient } from '@memo/common';

/**
 * Logins in progress, bounded by size: the state of each (the path to return to, or nothing)
 * waits in one hash, ordered by start time in a sorted set beside it, both in one Cluster slot
 * (`{oauth}`). A login started when `max` wait already pushes out the oldest, whose person
 * would have to start again; nobody is refused. (A global rate limit did refuse everyone: ~40
 * addresses at the per-client limit filled it for a minute.) At the default 10,000 and 5
 * minutes, pushing out a login 30 s old takes 330 logins started a second, from more than
 * 600 addresses at the per-client limit; the state costs ~1.5 MB at most.
 */

/**
 * KEYS: states, their times. ARGV: state, what it holds, ttl (s), now (ms), max. Forgets the
 * expired ones and the oldest beyond max. Each call costs O(log n) plus what it forgets.
 */
const START = `
local ttl, now, max = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - ttl * 1000, 'LIMIT', 0, 100)
local over = redis.call('ZCARD', KEYS[2]) - #old + 1 - max
if over > 0 then
  for _, s in ipairs(redis.call('ZRANGE', KEYS[2], #old, #old + over - 1)) do old[#old + 1] = s end
end
if #old > 0 then
  redis.call('ZREM', KEYS[2], unpack(old))
  redis.call('HDEL', KEYS[1], unpack(old))
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl * 1000)
redis.call('PEXPIRE', KEYS[2], ttl * 1000)
return #old
`;

/**
 * KEYS: states, their times. ARGV: state, ttl (s), now (ms). The state's content, taken (single
 * use), or false when unknown, pushed out or expired.
 */
const TAKE = `
local at = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not at then return false end
local held = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
if tonumber(at) < tonumber(ARGV[3]) - tonumber(ARGV[2]) * 1000 then return false end
return held
`;

interface LoginStateCommands {
  loginStateStart(...args: string[]): Promise<number>;
  loginStateTake(...args: string[]): Promise<string | null>;
}

export class LoginStates {
  private readonly redis: RedisClient & LoginStateCommands;

  constructor(
    redis: RedisClient,
    private readonly ttlSeconds: number,
    private readonly max: number,
  ) {
    redis.defineCommand('loginStateStart', { numberOfKeys: 2, lua: START });
    redis.defineCommand('loginStateTake', { numberOfKeys: 2, lua: TAKE });
    this.redis = redis as RedisClient & LoginStateCommands;
  }

  /** Keeps a new login's state; returns how many old ones it forgot (expired or pushed out). */
  async start(state: string, holds: string, now = Date.now()): Promise<number> {
    return this.redis.loginStateStart(
      LOGIN_STATES_KEY,
      LOGIN_STATE_TIMES_KEY,
      state,
      holds,
      String(this.ttlSeconds),
      String(now),
      String(this.max),
    );
  }

  /** What the state holds, taken once; null when unknown, pushed out or expired. */
  async take(state: string, now = Date.now()): Promise<string | null> {
    const held = await this.redis.loginStateTake(
      LOGIN_STATES_KEY,
      LOGIN_STATE_TIMES_KEY,
      state,
      String(this.ttlSeconds),
      String(now),
    );
    return held ?? (await this.redis.getdel(legacyLoginStateKey(state)));
  }

  /** Logins waiting now (expired ones not yet forgotten included). */
  async size(): Promise<number> {
    return this.redis.zcard(LOGIN_STATE_TIMES_KEY);
  }
}
