export interface RequestSpec {
  method?: 'GET' | 'POST';
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}

export interface LoadSpec {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
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
}
