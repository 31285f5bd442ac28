import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One JSON logger per process. Paths that may carry a credential or a person's words are
 * redacted, so a careless `log.info({ req })` cannot leak them.
 */
export function createLogger(name: string, level: string = 'info'): Logger {
  return pino({
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
  });
}
