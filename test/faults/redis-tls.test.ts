import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createRedis, waitReady } from '@memo/common';
import { freePort } from '@memo/stack';
import { sessionKeys } from '@memo/testing/env';
import { waitFor } from '@memo/testing/process';
import { startMemo } from '@memo/testing/services';

/**
 * A managed Redis's `rediss://` endpoint, rehearsed: a redis-server that only speaks TLS, with a
 * certificate signed by a CA of its own (openssl). The client trusts it with REDIS_CA_FILE (the
 * chart's externalRedis.tls.caSecret), refuses it without, and memo-service runs on it.
 */

const dir = mkdtempSync(join(tmpdir(), 'memo-redis-tls-'));
const stops: (() => void)[] = [];
let url = '';

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

beforeAll(async () => {
  // A CA, and a certificate for 127.0.0.1 it signed.
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=memo test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  ]);
  openssl([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=redis.test',
    '-keyout',
    'redis.key',
    '-out',
    'redis.csr',
  ]);
  writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl([
    'x509',
    '-req',
    '-in',
    'redis.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.cnf',
    '-out',
    'redis.pem',
  ]);
  const port = await freePort();
  const server = spawn(
    'redis-server',
    [
      ...['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      ...['--tls-cert-file', join(dir, 'redis.pem'), '--tls-key-file', join(dir, 'redis.key')],
      ...['--tls-ca-cert-file', join(dir, 'ca.pem'), '--tls-auth-clients', 'no'],
    ],
    { stdio: 'ignore' },
  );
  stops.push(() => server.kill('SIGTERM'));
  url = `rediss://127.0.0.1:${String(port)}`;
  await waitFor(
    async () => {
      const probe = createRedis(
        { REDIS_URL: new URL(url), REDIS_CA_FILE: join(dir, 'ca.pem') },
        createLogger('t', 'silent'),
      );
      try {
        await waitReady(probe);
        await probe.ping();
        return true;
      } finally {
        probe.disconnect();
      }
    },
    10_000,
    'redis-server with TLS',
  );
});
afterAll(() => {
  for (const stop of stops) stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis over TLS with a CA of its own', () => {
  it('is trusted with REDIS_CA_FILE and refused without it', async () => {
    const trusting = createRedis(
      { REDIS_URL: new URL(url), REDIS_CA_FILE: join(dir, 'ca.pem') },
      createLogger('t', 'silent'),
    );
    await waitReady(trusting);
    await trusting.set('tls:check', 'over TLS');
    expect(await trusting.get('tls:check')).toBe('over TLS');
    trusting.disconnect();

    // The system's CAs do not know this one: the connection never becomes ready.
    const errors: string[] = [];
    const doubting = createRedis({ REDIS_URL: new URL(url) }, createLogger('t', 'silent'));
    doubting.on('error', (err: Error) => errors.push(err.message));
    await new Promise((r) => setTimeout(r, 1000));
    expect(doubting.status).not.toBe('ready');
    expect(errors.join(' ')).toMatch(/certificate/i);
    doubting.disconnect();
  });

  it('runs memo-service on it, as the chart wires it', async () => {
    const memo = await startMemo(sessionKeys(), { REDIS_URL: url, REDIS_CA_FILE: join(dir, 'ca.pem') });
    stops.push(() => void memo.close());
    await waitFor(async () => (await fetch(`${memo.adminUrl}/readyz`)).status === 200, 10_000, 'memo-service ready');
    const metrics = await (await fetch(`${memo.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/^redis_up\{[^}]*\} 1$/m);
  });
});
