import { randomBytes } from 'node:crypto';
import { HttpError, memoKeys, unauthorized, type RedisClient, type Session } from '@memo/common';
import { GUARD } from './scripts.js';
import { guarded } from './store.js';

/**
 * Admission of heavy requests (export, import, tag rename): each reads or writes every memo of a
 * user, so one user may run one at a time, on any replica (a hold in the user's slot), and a
 * process runs at most `perProcess` of everybody's at once. Beyond either, the request is
 * refused at once with 429 and `Retry-After` (not queued: a queue would hold a socket and
 * memory for the caller, and the page simply tries again later). The hold is taken only while
 * the session lives (in the same script), so nothing in flight can take it after 회원 탈퇴, and it
 * expires by itself after `holdMs` should the process die holding it.
 */

/** KEYS: the guard (scripts.ts), the hold. ARGV: the guard's two, a token, how long in ms. */
const TAKE = `${GUARD}
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'ok' end
return 'busy'
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`;

interface AdmissionCommands {
  admissionTake(...args: string[]): Promise<string | string[]>;
  admissionRelease(hold: string, token: string): Promise<number>;
}

/** Seconds a refused caller is told to wait. */
export const RETRY_AFTER_SECONDS = 5;

export class Admission {
  private readonly redis: RedisClient & AdmissionCommands;
  private running = 0;

  constructor(
    redis: RedisClient,
    private readonly perProcess: number,
    private readonly holdMs: number,
  ) {
    redis.defineCommand('admissionTake', { lua: TAKE });
    redis.defineCommand('admissionRelease', { numberOfKeys: 1, lua: RELEASE });
    this.redis = redis as RedisClient & AdmissionCommands;
  }

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
    let taken: string | string[];
    try {
      taken = await this.redis.admissionTake(...guarded(session, [hold]), token, String(this.holdMs));
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
      await this.redis.admissionRelease(hold, token).catch(() => undefined);
    };
  }
}

function busy(message: string): HttpError {
  return new HttpError(429, 'busy', `${message}: try again in a few seconds`, {
    'Retry-After': String(RETRY_AFTER_SECONDS),
  });
}
