import { createHash, randomBytes } from 'node:crypto';
import { sessionKey, type RedisClient, type Session } from '@memo/common';

/**
 * A user's memos are one Redis list, `memo:<userId>`, newest first: the key and the order the
 * original Flask app used, so its data keeps working and every command touches one key (which
 * is what a Redis Cluster needs). New entries are JSON with an id and times; entries the
 * original wrote are plain strings, shown with an id derived from their text.
 */

export interface Memo {
  id: string;
  text: string;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface Page {
  memos: Memo[];
  /** Opaque: pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

const ENTRY_PREFIX = '{"v":1,"id":"';
const LEGACY_PREFIX = 'o';
const ID = /^(m[0-9a-z]{10,40}|o[0-9a-f]{20})$/;

export const memoKey = (userId: string): string => `memo:${userId}`;

export function isMemoId(id: string): boolean {
  return ID.test(id);
}

/** The id of an entry the original app wrote: stable for the same text, computed the same way in Lua. */
export function legacyId(text: string): string {
  return LEGACY_PREFIX + createHash('sha1').update(text, 'utf8').digest('hex').slice(0, 20);
}

/** Time-ordered ids: base-36 milliseconds, then randomness. */
export function newId(now = Date.now()): string {
  return `m${now.toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`;
}

function encode(memo: Memo): string {
  // id first, always: the Lua scripts find an entry by the `{"v":1,"id":"<id>"` prefix.
  return JSON.stringify({ v: 1, id: memo.id, text: memo.text, createdAt: memo.createdAt, updatedAt: memo.updatedAt });
}

export function decode(raw: string): Memo {
  if (raw.startsWith(ENTRY_PREFIX)) {
    try {
      const value = JSON.parse(raw) as Partial<Memo> & { v?: unknown };
      if (value.v === 1 && typeof value.id === 'string' && typeof value.text === 'string') {
        return {
          id: value.id,
          text: value.text,
          createdAt: typeof value.createdAt === 'string' ? value.createdAt : null,
          updatedAt: typeof value.updatedAt === 'string' ? value.updatedAt : null,
        };
      }
    } catch {
      // not ours after all: a plain string that happens to look like JSON
    }
  }
  return { id: legacyId(raw), text: raw, createdAt: null, updatedAt: null };
}

// Finds the index of the entry with id ARGV[1], scanning in chunks so a long list never
// needs one huge reply. A legacy id is the SHA-1 of the entry's text, as legacyId() makes it.
const FIND = `
local function find(key, id)
  local legacy = string.sub(id, 1, 1) == '${LEGACY_PREFIX}'
  local prefix = '${ENTRY_PREFIX}' .. id .. '"'
  local len = redis.call('LLEN', key)
  local chunk = 512
  local start = 0
  while start < len do
    local items = redis.call('LRANGE', key, start, start + chunk - 1)
    for i, item in ipairs(items) do
      if legacy then
        if '${LEGACY_PREFIX}' .. string.sub(redis.sha1hex(item), 1, 20) == id then return start + i - 1, item end
      elseif string.sub(item, 1, #prefix) == prefix then
        return start + i - 1, item
      end
    end
    start = start + chunk
  end
  return -1, nil
end
`;

/** One page, newest first: LLEN and LRANGE in one round trip. Also what the bench's floor runs. */
export const PAGE_SCRIPT = `
local len = redis.call('LLEN', KEYS[1])
local before = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local start = 0
if before >= 0 then
  start = len - before
  if start < 0 then start = 0 end
end
local items = redis.call('LRANGE', KEYS[1], start, start + limit - 1)
return {len - start - #items, items}
`;

/**
 * The same page, only while the session lives: what `SessionVerifier.isLive` asks (the
 * session key holds its user id), in the same round trip and the same command. Two keys, so
 * one Redis only: on a Cluster they live in different slots and the two are asked apart.
 * KEYS: the memo list, the session; ARGV: before, limit, the session's user id.
 */
const PAGE_IF_LIVE = `
if redis.call('GET', KEYS[2]) ~= ARGV[3] then return false end
${PAGE_SCRIPT}`;

// ARGV: id, head, tail, replacement for a legacy entry. A JSON entry keeps its createdAt.
const UPDATE = `${FIND}
local index, item = find(KEYS[1], ARGV[1])
if index < 0 then return false end
local entry
if string.sub(ARGV[1], 1, 1) ~= '${LEGACY_PREFIX}' then
  local created = string.match(item, '"createdAt":("[^"]*")') or 'null'
  entry = ARGV[2] .. created .. ARGV[3]
else
  entry = ARGV[4]
end
redis.call('LSET', KEYS[1], index, entry)
return entry
`;

// ARGV: id, a tombstone unique to this call. LSET then LREM removes exactly that index.
const DELETE = `${FIND}
local index = find(KEYS[1], ARGV[1])
if index < 0 then return 0 end
redis.call('LSET', KEYS[1], index, ARGV[2])
return redis.call('LREM', KEYS[1], 1, ARGV[2])
`;

interface MemoCommands {
  memoPage(key: string, before: string, limit: string): Promise<[number, string[]]>;
  memoPageIfLive(
    key: string,
    session: string,
    before: string,
    limit: string,
    owner: string,
  ): Promise<[number, string[]] | null>;
  memoUpdate(key: string, id: string, head: string, tail: string, legacy: string): Promise<string | null>;
  memoDelete(key: string, id: string, tombstone: string): Promise<number>;
}

/** A page script's reply: how many older memos remain, and this page's entries. */
function toPage([rest, items]: [number, string[]]): Page {
  return { memos: items.map(decode), nextCursor: rest > 0 ? String(rest) : null };
}

export class MemoStore {
  private readonly redis: RedisClient & MemoCommands;

  constructor(redis: RedisClient) {
    redis.defineCommand('memoPage', { numberOfKeys: 1, lua: PAGE_SCRIPT });
    redis.defineCommand('memoPageIfLive', { numberOfKeys: 2, lua: PAGE_IF_LIVE });
    redis.defineCommand('memoUpdate', { numberOfKeys: 1, lua: UPDATE });
    redis.defineCommand('memoDelete', { numberOfKeys: 1, lua: DELETE });
    this.redis = redis as RedisClient & MemoCommands;
  }

  /** Newest first. `cursor` is what the previous page returned as nextCursor. */
  async list(userId: string, limit: number, cursor?: number): Promise<Page> {
    return toPage(await this.redis.memoPage(memoKey(userId), String(cursor ?? -1), String(limit)));
  }

  /** A page of the session's user, or null when the session no longer lives (logout). */
  async listIfLive(session: Session, limit: number, cursor?: number): Promise<Page | null> {
    if (this.redis.isCluster) {
      const [owner, page] = await Promise.all([
        this.redis.get(sessionKey(session.sessionId)),
        this.list(session.userId, limit, cursor),
      ]);
      return owner === session.userId ? page : null;
    }
    const reply = await this.redis.memoPageIfLive(
      memoKey(session.userId),
      sessionKey(session.sessionId),
      String(cursor ?? -1),
      String(limit),
      session.userId,
    );
    return reply ? toPage(reply) : null;
  }

  async add(userId: string, text: string, now = new Date()): Promise<Memo> {
    const memo: Memo = { id: newId(now.getTime()), text, createdAt: now.toISOString(), updatedAt: null };
    await this.redis.lpush(memoKey(userId), encode(memo));
    return memo;
  }

  async update(userId: string, id: string, text: string, now = new Date()): Promise<Memo | null> {
    const updatedAt = now.toISOString();
    // The entry as encode() writes it, split around createdAt so Lua can keep the stored one.
    const head = `{"v":1,"id":${JSON.stringify(id)},"text":${JSON.stringify(text)},"createdAt":`;
    const tail = `,"updatedAt":${JSON.stringify(updatedAt)}}`;
    const replacement = encode({ id: newId(now.getTime()), text, createdAt: null, updatedAt });
    const stored = await this.redis.memoUpdate(memoKey(userId), id, head, tail, replacement);
    return stored === null ? null : decode(stored);
  }

  async remove(userId: string, id: string): Promise<boolean> {
    const tombstone = `\u0000deleted:${randomBytes(12).toString('hex')}`;
    return (await this.redis.memoDelete(memoKey(userId), id, tombstone)) === 1;
  }
}
