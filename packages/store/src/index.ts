import type { RedisClient, Session } from '@memo/common';
import { Archive } from './archive.js';
import { History } from './history.js';
import type { Memo } from './layout.js';
import { Imports, type ImportResult, type Incoming } from './imports.js';
import { Memos } from './memos.js';
import { Moves, type StepOutcome } from './moves.js';
import { Pins } from './pins.js';
import { SHARE_MAX, Shares } from './shares.js';
import { Scripts, loadCommand, scriptSources } from './runner.js';
import { Tags, type TagCount } from './tags.js';
import { Trash, type TrashPage } from './trash.js';
import type { Cursor, Page, PageJson, Quotas, Writer } from './types.js';

/**
 * @memo/store: a user's memos in Redis, by concern: memos (pages, add, edit, delete), pins, tags (the index,
 * tag pages, renames), imports, the trash, the history of edits, the archive, share links, and moves (into this layout, and compaction), each a small
 * module around one script runner (runner.ts; the scripts are commands/*.lua). This class only
 * puts them together and is what the routes and tools hold.
 */
export class MemoStore {
  readonly scripts: Scripts;
  readonly moves: Moves;
  readonly memos: Memos;
  readonly pins: Pins;
  readonly tagIndex: Tags;
  readonly imports: Imports;
  readonly trash: Trash;
  readonly history: History;
  readonly archive: Archive;
  readonly shares: Shares;

  constructor(redis: RedisClient, quotas: Quotas) {
    this.scripts = new Scripts(redis);
    this.moves = new Moves(this.scripts);
    this.memos = new Memos(this.scripts, this.moves, quotas);
    this.pins = new Pins(this.scripts, this.memos, quotas);
    this.tagIndex = new Tags(this.scripts, this.memos, this.moves, quotas);
    this.imports = new Imports(this.scripts, this.moves, quotas);
    this.trash = new Trash(this.scripts, quotas);
    this.history = new History(this.scripts, this.memos, quotas);
    this.archive = new Archive(this.scripts, this.memos, quotas);
    this.shares = new Shares(this.scripts, this.memos, quotas.maxShares ?? SHARE_MAX);
  }

  list(userId: string, limit: number, cursor?: Cursor): Promise<Page> {
    return this.memos.list(userId, limit, cursor);
  }
  listIfLive(session: Session, limit: number, cursor?: Cursor): Promise<Page | null> {
    return this.memos.listIfLive(session, limit, cursor);
  }
  listJsonIfLive(session: Session, limit: number, cursor?: Cursor): Promise<PageJson | null> {
    return this.memos.listJsonIfLive(session, limit, cursor);
  }
  add(writer: Writer, text: string, now?: Date): Promise<Memo> {
    return this.memos.add(writer, text, now);
  }
  addOnce(writer: Writer, text: string, key: string, now?: Date): Promise<{ memo: Memo | null; replayed: boolean }> {
    return this.memos.addOnce(writer, text, key, now);
  }
  update(writer: Writer, id: string, text: string, now?: Date): Promise<Memo | null> {
    return this.memos.update(writer, id, text, now);
  }
  remove(writer: Writer, id: string): Promise<boolean> {
    return this.memos.remove(writer, id);
  }
  pin(writer: Writer, id: string, now?: Date): Promise<boolean> {
    return this.pins.pin(writer, id, now);
  }
  unpin(writer: Writer, id: string): Promise<boolean> {
    return this.pins.unpin(writer, id);
  }
  tags(userId: string): Promise<TagCount[]> {
    return this.tagIndex.list(userId);
  }
  listTagged(session: Session, tag: string, limit: number, below?: number): Promise<Page | null> {
    return this.tagIndex.page(session, tag, limit, below);
  }
  renameTag(
    writer: Writer,
    from: string,
    to: string,
    maxLength: number,
    now?: Date,
  ): Promise<{ renamed: number; skipped: number }> {
    return this.tagIndex.rename(writer, from, to, maxLength, now);
  }
  importMemos(writer: Writer, incoming: readonly Incoming[], now?: Date): Promise<ImportResult> {
    return this.imports.run(writer, incoming, now);
  }
  trashPage(userId: string, limit: number, offset?: number): Promise<TrashPage> {
    return this.trash.page(userId, limit, offset);
  }
  restore(writer: Writer, id: string): Promise<Memo | null> {
    return this.trash.restore(writer, id);
  }
  purge(writer: Writer, id: string): Promise<boolean> {
    return this.trash.purge(writer, id);
  }
  emptyTrash(writer: Writer): Promise<number> {
    return this.trash.empty(writer);
  }
  /** Moves the user's memos into this layout to the end (`npm run migrate`). */
  migrate(userId: string): Promise<number> {
    return this.moves.finish(userId);
  }
  /** One bounded step of a move. */
  moveStep(userId: string): Promise<StepOutcome> {
    return this.moves.step(userId);
  }
}

export type { Memo } from './layout.js';
export { isMemoId, legacyId, memoKey, userKeys, LAYOUT_VERSION } from './layout.js';
export type { ImportResult, Incoming } from './imports.js';
export { IDEMPOTENCY_KEEP, FIRST_PAGE_KEEP_BYTES, FIRST_PAGE_KEEP_MS, onlyTicks } from './memos.js';
export type { TagCount } from './tags.js';
export type { TrashedMemo, TrashPage } from './trash.js';
export type { ArchivePage } from './archive.js';
export { RestoreConflict } from './trash.js';
export { SHARE_MAX, SharesFull, isShareToken } from './shares.js';
export { MOVE_WORK, MOVE_BYTES, DEAD_MIN, DEAD_RATIO, Scripts } from './runner.js';
export * from './types.js';

/** Every script by its method name, for reports that meet them by their SHA-1 in SLOWLOG. */
export const SCRIPTS: Readonly<Record<string, string>> = scriptSources();
/** The page script as Redis runs it, for the bench's floor (keys and arguments as in page.lua). */
export const PAGE_SCRIPT: string = loadCommand('page').lua;
