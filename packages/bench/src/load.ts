/**
 * The load generator, run as its own process so that it never shares an event loop with what
 * it measures: autocannon with the options given as JSON in argv[2]; prints one JSON result.
 */
import autocannon from 'autocannon';
import type { LoadResult, LoadSpec } from './types.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;

const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.duration,
  pipelining: 1,
  timeout: 10,
  headers: spec.headers,
  requests: spec.requests,
});

const out: LoadResult = {
  requests: result.requests.total,
  durationSeconds: result.duration,
  rps: result.requests.total / result.duration,
  p50: result.latency.p50,
  p99: result.latency.p99,
  p999: result.latency.p99_9,
  errors: result.errors + result.timeouts + result.non2xx,
  non2xx: result.non2xx,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
