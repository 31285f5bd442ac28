import { readFileSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The release version: every workspace's package.json carries it (scripts/version.mjs bumps them
 * together with the chart); this one is read from @memo/common's, present in every image.
 */
export const RELEASE_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** One registry per process, with Node's default metrics, the request histogram and the build. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    // Which release runs: the one version the repository, the chart and the images share.
    new Gauge({
      name: 'memo_build_info',
      help: 'The release this process runs (always 1)',
      labelNames: ['version'],
      registers: [this.registry],
    }).set({ version: RELEASE_VERSION }, 1);
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }

  /** Redis command latency by command name, for createRedis. */
  redisHistogram(): Histogram<'command'> {
    return new Histogram({
      name: 'redis_command_duration_seconds',
      help: 'Redis command latency by command',
      labelNames: ['command'],
      buckets: [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2],
      registers: [this.registry],
    });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}
