/** The one error shape every service answers with: `{"error": {"code", "message"}}`. */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

export const unauthorized = (): HttpError => new HttpError(401, 'unauthorized', 'Not logged in');
export const notFound = (what = 'Not found'): HttpError => new HttpError(404, 'not_found', what);
export const unavailable = (): HttpError =>
  new HttpError(503, 'unavailable', 'The service is temporarily unavailable, please retry', { 'Retry-After': '1' });
