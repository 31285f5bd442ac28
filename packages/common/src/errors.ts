/** The one error shape every service answers with: `{"error": {"code", "message", …details}}`. */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** More for the client to act on (e.g. how much of a quota is left), beside code and message. */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorBody {
  error: { code: string; message: string; [detail: string]: unknown };
}

export function errorBody(code: string, message: string, details: Readonly<Record<string, unknown>> = {}): ErrorBody {
  return { error: { ...details, code, message } };
}

export const unauthorized = (): HttpError => new HttpError(401, 'unauthorized', 'Not logged in');
export const notFound = (what = 'Not found'): HttpError => new HttpError(404, 'not_found', what);
export const unavailable = (): HttpError =>
  new HttpError(503, 'unavailable', 'The service is temporarily unavailable, please retry', { 'Retry-After': '1' });
/** Redis refuses writes at its memory ceiling (maxmemory, noeviction); reads still work. */
export const storageFull = (): HttpError =>
  new HttpError(507, 'storage_full', 'The storage is full: nothing new can be saved now, reading still works', {
    'Retry-After': '60',
  });
