/**
 * Talking to the services, and nothing of the page: the API's types (shared with memo-service,
 * packages/common api-types.ts), the one way to call it, and its refusals. Every path is
 * relative to the page, so the site also works under a sub-path.
 */
import type { QuotaRefusal } from '@memo/common/api-types';

export type { Limits, Memo, Page, Quota, QuotaRefusal, Usage } from '@memo/common/api-types';

/** What the person logged in is called (GET auth/session). */
export interface Person {
  id: string;
  name: string;
  nameDeclined?: boolean;
}

interface ApiError {
  error?: { code?: string; message?: string; quota?: QuotaRefusal };
}

/** A request the service refused (status, code), or that got no answer (0, 'offline'). */
export class RequestFailed extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly quota?: QuotaRefusal,
  ) {
    super(code);
  }
}

/** Told when an answer came from the service worker's copy (the device is offline). */
let onOfflineAnswer: () => void = () => undefined;
export function whenAnsweredOffline(handler: () => void): void {
  onOfflineAnswer = handler;
}

/** Calls the API: the answer's JSON, or RequestFailed. */
export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body !== undefined && !headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  } catch {
    throw new RequestFailed(0, 'offline');
  }
  // Answered by the service worker from what it kept (page/sw/sw.ts): the device is offline.
  if (res.headers.get('X-Memo-Offline') === '1') onOfflineAnswer();
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => ({}))) as T & ApiError;
  if (!res.ok) {
    const code = body.error?.code ?? (res.status >= 500 ? 'unavailable' : 'generic');
    throw new RequestFailed(res.status, code, body.error?.quota);
  }
  return body;
}
