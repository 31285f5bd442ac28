import { memoKeys } from '@memo/common';
import type { Memos } from './memos.js';
import type { Scripts } from './runner.js';
import { PIN_MAX, PinsFull, guardOf, userOf, written, type Quotas, type Writer } from './types.js';

/** Pinned memos come first, newest pin first (the first page brings them all). */
export class Pins {
  constructor(
    private readonly scripts: Scripts,
    private readonly memos: Memos,
    private readonly quotas: Quotas,
  ) {}

  /** Pins a memo: true, or false when there is no such memo; PinsFull at `maxPins`. */
  async pin(writer: Writer, id: string, now = new Date()): Promise<boolean> {
    const userId = userOf(writer);
    const keys = memoKeys(userId);
    if ((await this.memos.entryMovedFirst(userId, id)) === null) return false;
    const max = this.quotas.maxPins ?? PIN_MAX;
    const guard = guardOf(writer);
    const reply = written(
      await this.scripts.run(
        'pin',
        { guard: guard.guard, memos: keys.memos, pins: keys.pins, meta: keys.meta },
        { guardMode: guard.guardMode, guardValue: guard.guardValue, id, now: now.getTime(), maxPins: max },
      ),
    );
    if (reply === 'full') throw new PinsFull(max);
    return reply === 'ok';
  }

  /** Unpins a memo: true when it was pinned. */
  async unpin(writer: Writer, id: string): Promise<boolean> {
    const keys = memoKeys(userOf(writer));
    return (await this.scripts.run('unpin', { pins: keys.pins, meta: keys.meta }, { id })) === 1;
  }
}
