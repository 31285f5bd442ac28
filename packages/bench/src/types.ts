export interface RequestSpec {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path?: string;
  /** Each request takes one of these paths at random instead of `path` (ids to hit, say). */
  pick?: string[];
  body?: string;
  headers?: Record<string, string>;
  /** Keep the `id` of this request's JSON answer for the connection's next request. */
  keepId?: boolean;
  /** Go to `<path><the id kept>` (the memo the connection's last add made). */
  toKeptId?: boolean;
}

export interface LoadSpec {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  /** Requests per second over all connections (open loop); as fast as possible when absent. */
  rate?: number;
  /** A sequence each connection repeats (the mixed stream); one request when absent. */
  requests?: RequestSpec[];
}

export interface LoadResult {
  requests: number;
  durationSeconds: number;
  rps: number;
  /** Latencies in milliseconds. */
  p50: number;
  p99: number;
  p999: number;
  errors: number;
  non2xx: number;
  /** Answers by status class. */
  s4xx: number;
  s5xx: number;
  /** Requests that got no answer in time, or whose connection failed. */
  timeouts: number;
}

export interface Scenario {
  name: string;
  /** Which side of a comparison, for the tables. */
  via: 'service' | 'gateway' | 'floor' | 'nginx' | 'original';
  spec: LoadSpec;
}

export interface Measured {
  name: string;
  via: Scenario['via'];
  runs: LoadResult[];
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  errors: number;
}

export interface Memory {
  process: string;
  idleMb: number;
  peakMb: number;
}
