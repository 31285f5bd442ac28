/**
 * What a Redis error means for an answer (503, 507), told from the error alone: without the
 * client, so that a service that has no Redis (web-service, naver-stub) does not load one to
 * answer errors (`@memo/common/service`).
 */

const UNAVAILABLE = [
  "Stream isn't writeable",
  'Command timed out',
  'Connection is closed',
  'Reached the max retries per request limit',
  'connect ECONNREFUSED',
  'All sentinels are unreachable',
  'Failed to refresh slots cache',
  'ClusterAllFailedError',
  'CLUSTERDOWN',
  // A failover or a resharding in progress: a primary down or just demoted, a slot moving, a
  // node still loading its data. Each passes within seconds; until then the answer is 503, not
  // 500 (a killed primary gave one 500 on a real six-node cluster: issue 24).
  'Too many Cluster redirections',
  'TRYAGAIN',
  'MASTERDOWN',
  'READONLY',
  'LOADING',
  'None of startup nodes is available',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
];

/** True when Redis refused a write at its memory ceiling (maxmemory with noeviction). */
export function isRedisFull(err: unknown): boolean {
  return err instanceof Error && err.message.includes('OOM command not allowed');
}

/** True when an error means "Redis cannot be reached now" rather than "this command failed". */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return UNAVAILABLE.some((m) => err.message.includes(m));
}
