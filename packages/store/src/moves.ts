import { memoKeys } from '@memo/common';
import type { Scripts } from './runner.js';
import { orderKeys, type Reply } from './types.js';

/**
 * Moves: how a user's memos get into this layout and stay compact (layout.ts, docs/data.md).
 * One name for the one mechanism: a **move** is a run of bounded, atomic **steps**
 * (commands/move.lua) that converts entries of earlier layouts, drops dead refs, and adopts
 * entries the original app pushed meanwhile. A step can stop anywhere and anyone can resume it.
 */
export type StepOutcome = 'idle' | 'more' | 'done';

export class Moves {
  /** Moves under way in this process, by user: concurrent requests of a user share one. */
  private readonly running = new Map<string, Promise<number>>();

  constructor(private readonly scripts: Scripts) {}

  /** One bounded step of moving the user's memos. `adopt`: start one even when none is due. */
  async step(userId: string, adopt = false): Promise<StepOutcome> {
    return (await this.scripts.run('move', orderKeys(memoKeys(userId)), { adopt: adopt ? '1' : '' })) as StepOutcome;
  }

  /** One step, when a write said one is due (its reply's `due`). */
  async stepIfDue(userId: string, due: unknown): Promise<void> {
    if (due === 1) await this.step(userId);
  }

  /**
   * Moves the user's memos to the end: step after step until done, other users' commands
   * running between them. Within a process, requests of the same user wait for the one move
   * rather than each driving it. Returns the steps this call took (0 when it waited).
   */
  async finish(userId: string, adopt = false): Promise<number> {
    const running = this.running.get(userId);
    if (running) {
      await running;
      return 0;
    }
    const move = (async () => {
      let steps = 0;
      for (;;) {
        const outcome = await this.step(userId, adopt && steps === 0);
        if (outcome === 'idle') return steps;
        steps += 1;
        if (outcome === 'done') return steps;
      }
    })();
    this.running.set(userId, move);
    try {
      return await move;
    } finally {
      this.running.delete(userId);
    }
  }

  /**
   * Runs `run` after a move when it needs one: if it answers 'migrate' (the user's memos are in
   * an earlier layout) or 'move' (it met an entry of an earlier layout in the order: one the
   * original app pushed while both apps share this Redis), the move is finished, adopting such
   * entries, and `run` runs again.
   */
  async runMoved(userId: string, run: () => Promise<Reply>): Promise<Reply> {
    let reply = await run();
    if (reply[0] === 'migrate' || reply[0] === 'move') {
      await this.finish(userId, reply[0] === 'move');
      reply = await run();
      if (reply[0] === 'migrate' || reply[0] === 'move') throw new Error(`memos of a user still moving: ${reply[0]}`);
    }
    return reply;
  }
}
