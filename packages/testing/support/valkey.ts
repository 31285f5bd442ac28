import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { startRedis, type LocalRedis } from '@memo/stack';

/**
 * Valkey (BSD, Linux Foundation: what distributions and managed clouds moved to), beside Redis:
 * `valkey-server` 8 from Debian's bookworm-backports (.ci/run installs it). A file that calls
 * useValkey() runs its suites on a Valkey of its own; without one it is skipped here, never
 * under CI.
 */
export const VALKEY = process.env.VALKEY_SERVER ?? 'valkey-server';

export const valkeyInstalled = (): boolean => spawnSync(VALKEY, ['--version']).status === 0;

if (!valkeyInstalled() && process.env.CI) {
  throw new Error(`${VALKEY} is missing: CI must run the tests on Valkey too (.ci/run installs it)`);
}

/** Starts a valkey-server before the file's tests (stopped after); its URL once started. */
export function useValkey(): () => string {
  let server: LocalRedis | undefined;
  beforeAll(async () => {
    server = await startRedis({ binary: VALKEY });
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('Valkey is not started yet');
    return server.url;
  };
}
