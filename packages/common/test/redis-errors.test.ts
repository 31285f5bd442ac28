import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis, type LocalRedis } from '@memo/stack';
import { toHttpError } from '../src/http.js';

/**
 * What a Redis error becomes for the client: Redis away, failing over or resharding is a 503
 * (retry in a second), never a 500. READONLY is produced for real (a write to a replica, what
 * a client meets on a primary just demoted); the others as Redis and ioredis word them.
 */
const servers: LocalRedis[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe('Redis errors as answers', () => {
  it('answers a write to a demoted primary (READONLY) with 503', async () => {
    const primary = await startRedis();
    const replica = await startRedis();
    servers.push(primary, replica);
    const client = new Redis(replica.url);
    try {
      await client.replicaof('127.0.0.1', String(primary.port));
      const err = await client.set('k', 'v').then(
        () => null,
        (e: unknown) => e,
      );
      expect(String(err)).toContain('READONLY');
      expect(toHttpError(err)).toMatchObject({ status: 503, code: 'unavailable' });
    } finally {
      client.disconnect();
    }
  });

  it('answers every failover and resharding error with 503, and a real failure with 500', () => {
    for (const message of [
      'Too many Cluster redirections. Last error: Error: connect ECONNREFUSED 127.0.0.1:7001',
      'TRYAGAIN Multiple keys request during rehashing of slot',
      'MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no',
      'LOADING Redis is loading the dataset in memory',
      'CLUSTERDOWN The cluster is down',
      'None of startup nodes is available',
      'read ECONNRESET',
      'connect ETIMEDOUT',
    ]) {
      expect(toHttpError(new Error(message)), message).toMatchObject({ status: 503, code: 'unavailable' });
    }
    expect(toHttpError(new Error('ERR Error running script: attempt to index a nil value'))).toMatchObject({
      status: 500,
    });
  });
});
