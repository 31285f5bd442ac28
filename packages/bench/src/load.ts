/**
 * The load generator, run as its own process so that it never shares an event loop with what
 * it measures: autocannon with the options given as JSON on stdin; prints one JSON result.
 */
import autocannon from 'autocannon';
import type { LoadResult, LoadSpec } from './types.js';

/** The spec, as JSON on stdin. */
async function readSpec(): Promise<LoadSpec> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as LoadSpec;
}

const spec = await readSpec();

/** A connection's own state between its requests: the id its last add answered. */
interface Context {
  id?: string;
}

const requests = spec.requests?.map(({ pick, keepId, toKeptId, ...request }) => {
  if (pick && pick.length > 0) {
    return {
      ...request,
      setupRequest: (req: autocannon.Request): autocannon.Request => ({
        ...req,
        path: pick[Math.floor(Math.random() * pick.length)] ?? '/',
      }),
    };
  }
  if (keepId) {
    return {
      ...request,
      onResponse: (_status: number, body: string, context: Context): void => {
        context.id = (JSON.parse(body) as { id?: string }).id;
      },
    };
  }
  if (toKeptId) {
    return {
      ...request,
      setupRequest: (req: autocannon.Request, context: Context): autocannon.Request => ({
        ...req,
        path: `${request.path ?? '/'}${context.id ?? ''}`,
      }),
    };
  }
  return request;
});

const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.duration,
  pipelining: 1,
  timeout: 10,
  headers: spec.headers,
  ...(spec.rate ? { overallRate: spec.rate } : {}),
  requests,
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
  s4xx: result['4xx'],
  s5xx: result['5xx'],
  timeouts: result.errors + result.timeouts,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
