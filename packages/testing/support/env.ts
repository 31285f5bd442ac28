import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import type { ServiceUser } from '@memo/stack';

/** This run's Redis (see global-setup.ts). */
export const redisUrl = (): string => inject('redisUrl');

/**
 * The environment that has a service connect to this run's Redis as its own Redis user
 * (the chart's ACL), as it would in the chart.
 */
export const redisAs = (user: ServiceUser): NodeJS.ProcessEnv => ({
  REDIS_URL: redisUrl(),
  REDIS_USERNAME: user,
  REDIS_PASSWORD: inject('redisUsers')[user],
});

export function redisClient(): Redis {
  return new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
}

/** A user id no other test uses, shaped like a Naver id. */
export function uniqueUser(prefix = 'u'): string {
  return `${prefix}${randomBytes(12).toString('base64url')}`;
}

export interface KeyPair {
  privatePem: string;
  publicPem: string;
}

export function sessionKeys(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
