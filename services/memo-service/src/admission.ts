import { randomBytes } from 'node:crypto';
import { HttpError, memoKeys, unauthorized, type Session } from '@memo/common';
import { guardOf, type Scripts } from '@memo/store';

/**
 * Admission of heavy requests (export, import, tag rename): each reads or writes every memo of a
 * user, so one user may run one at a time, on any replica (a hold in the user's slot), and a
 * process runs at most `perProcess` of everybody's at once. Beyond either, the request is
 * refused at once with 429 and `Retry-After` (not queued: a queue would hold a socket and
 * memory for the caller, and the page simply tries again later). The hold is taken only while
 * the session lives (in the same script), so nothing in flight can take it after 회원 탈퇴, and it
 * expires by itself after `holdMs` should the process die holding it.
 */

/** Seconds a refused caller is told to wait. */
export const RETRY_AFTER_SECONDS = 5;

export class Admission {
  private running = 0;

  constructor(
    /** The store's scripts (hold.lua and release.lua are among them). */
    private readonly scripts: Scripts,
    private readonly perProcess: number,
    private readonly holdMs: number,
  ) {}

  /** Heavy requests this process runs now. */
  get inFlight(): number {
    return this.running;
  }

  /**
   * Admits the session's user's one heavy request: the function that ends it (call it once,
   * when the answer is over). 429 `busy` when the user has one in flight or the process is
   * full; 401 when the session ended.
   */
  async enter(session: Session): Promise<() => Promise<void>> {
    if (this.running >= this.perProcess) throw busy('The service is busy with other exports and imports');
    this.running += 1;
    const hold = memoKeys(session.userId).busy;
    const token = randomBytes(12).toString('base64url');
    const guard = guardOf(session);
    let taken: unknown;
    try {
      taken = await this.scripts.run(
        'hold',
        { guard: guard.guard, hold },
        { guardMode: guard.guardMode, guardValue: guard.guardValue, token, ms: this.holdMs },
      );
    } catch (err) {
      this.running -= 1;
      throw err;
    }
    if (taken !== 'ok') {
      this.running -= 1;
      if (Array.isArray(taken)) throw unauthorized();
      throw busy('Another export, import or tag rename of yours is still running');
    }
    let left = false;
    return async () => {
      if (left) return;
      left = true;
      this.running -= 1;
      await this.scripts.run('release', { hold }, { token }).catch(() => undefined);
    };
  }
}

function busy(message: string): HttpError {
  return new HttpError(429, 'busy', `${message}: try again in a few seconds`, {
    'Retry-After': String(RETRY_AFTER_SECONDS),
  });
}
