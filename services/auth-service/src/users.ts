import { legacyNameKey, profileKey, type RedisClient } from '@memo/common';
import { FALLBACK_NAME, type NaverProfile } from './naver.js';

/**
 * Profiles live in `user:<id>`. The original app kept the name under the bare id key: it is
 * still read when no profile exists yet, so its users are greeted by name after the switch.
 */
export class UserStore {
  constructor(private readonly redis: RedisClient) {}

  async save(profile: NaverProfile, now = new Date()): Promise<void> {
    const value = { name: profile.name, ...(profile.named ? {} : { named: false }), updatedAt: now.toISOString() };
    await this.redis.set(profileKey(profile.id), JSON.stringify(value));
  }

  async name(id: string): Promise<string> {
    return (await this.profile(id)).name;
  }

  /** The name to greet with, and whether the person declined to share one at their last login. */
  async profile(id: string): Promise<{ name: string; declined: boolean }> {
    const [stored, legacy] = await Promise.all([this.redis.get(profileKey(id)), this.redis.get(legacyNameKey(id))]);
    if (stored) {
      try {
        const value = JSON.parse(stored) as { name?: unknown; named?: unknown };
        if (typeof value.name === 'string' && value.name) return { name: value.name, declined: value.named === false };
      } catch {
        // fall through to the legacy name
      }
    }
    return { name: legacy || FALLBACK_NAME, declined: false };
  }
}
