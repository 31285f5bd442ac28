import type { RedisClient } from '@memo/common';
import { FALLBACK_NAME, type NaverProfile } from './naver.js';

/**
 * Profiles live in `user:<id>`. The original app kept the name under the bare id key: it is
 * still read when no profile exists yet, so its users are greeted by name after the switch.
 */
export const userKey = (id: string): string => `user:${id}`;

export class UserStore {
  constructor(private readonly redis: RedisClient) {}

  async save(profile: NaverProfile, now = new Date()): Promise<void> {
    await this.redis.set(userKey(profile.id), JSON.stringify({ name: profile.name, updatedAt: now.toISOString() }));
  }

  async name(id: string): Promise<string> {
    const [stored, legacy] = await Promise.all([this.redis.get(userKey(id)), this.redis.get(id)]);
    if (stored) {
      try {
        const value = JSON.parse(stored) as { name?: unknown };
        if (typeof value.name === 'string' && value.name) return value.name;
      } catch {
        // fall through to the legacy name
      }
    }
    return legacy || FALLBACK_NAME;
  }
}
