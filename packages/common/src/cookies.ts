import { parse, serialize } from 'cookie';

/**
 * Our two cookies, read and written with the `cookie` package: one place for the attributes
 * every cookie of ours has (SameSite=Lax, HttpOnly unless said otherwise, the path, Secure on
 * https). Values are never logged.
 */

export function readCookie(header: string | undefined, name: string): string | undefined {
  return header ? parse(header)[name] : undefined;
}

export interface CookieOptions {
  maxAgeSeconds?: number;
  path: string;
  secure: boolean;
  httpOnly?: boolean;
}

export function serializeCookie(name: string, value: string, opts: CookieOptions): string {
  return serialize(name, value, {
    path: opts.path,
    sameSite: 'lax',
    httpOnly: opts.httpOnly !== false,
    secure: opts.secure,
    ...(opts.maxAgeSeconds === undefined ? {} : { maxAge: opts.maxAgeSeconds }),
    // A cookie being cleared also expires in the past, for clients that ignore Max-Age=0.
    ...(opts.maxAgeSeconds === 0 ? { expires: new Date(0) } : {}),
  });
}

export const SESSION_COOKIE = 'userId';
