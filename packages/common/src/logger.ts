import { destination, pino, type Logger } from 'pino';

export type { Logger };

/**
 * One JSON logger per process. Paths that may carry a credential or a person's words are
 * redacted, so a careless `log.info({ req })` cannot leak them. Lines go to stdout
 * asynchronously: a line is handed to the kernel while the next requests run, lines that come
 * meanwhile go in one write, and whatever waits is written when the process exits (pino flushes
 * on exit). One synchronous write per request cost ~4 µs of each (docs/benchmarks.md).
 */
export function createLogger(name: string, level: string = 'info'): Logger {
  return pino(
    {
      name,
      level,
      base: { service: name },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'headers.cookie',
          'headers.authorization',
          'req.headers.cookie',
          'req.headers.authorization',
          'res.headers["set-cookie"]',
          'token',
          'access_token',
          'refresh_token',
          'code',
          'text',
          'secret',
          'body',
        ],
        censor: '[redacted]',
      },
    },
    destination({ dest: 1, sync: false }),
  );
}
