/**
 * The store's Redis scripts (layout 2, see layout.ts). Each runs atomically and touches the
 * keys of one user only (one Cluster slot). None reads or writes more than a bounded batch:
 * a page at most `budget` refs, a move step at most MOVE_WORK (see there). Writes come after every check, so a script refused for memory (maxmemory,
 * noeviction) has changed nothing; a delete's first write (HDEL) frees memory and is never
 * refused.
 *
 * Keys, always in this order: the order list, `:older`, `:memos`, `:meta` (then a session, or
 * the tag list and the memo sets of the tags a write changes).
 */

/**
 * The work of one move step: a ref moved costs 1, an entry of an earlier layout converted
 * costs 4 (it is decoded, hashed and written anew), and the bytes the step copies into the
 * script are capped too. A quarter of a millisecond of Redis time or so (docs/data.md).
 */
export const MOVE_WORK = 256;
export const MOVE_BYTES = 16 * 1024;
/** A move (compaction) starts once this many refs are dead and they are a quarter of the live ones. */
export const DEAD_MIN = 64;
export const DEAD_RATIO = 4;

const HELPERS = `
local DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'
local function base36(n)
  if n == 0 then return '0' end
  local s = ''
  while n > 0 do
    local d = n % 36
    s = string.sub(DIGITS, d + 1, d + 1) .. s
    n = math.floor(n / 36)
  end
  return s
end
-- A ref of layout 2: '<seq base 36>:<memo id>'; nil for anything else (an older entry).
local function parseRef(x)
  local s, id = string.match(x, '^([0-9a-z]+):([mo][0-9a-z]+)$')
  if not s then return nil end
  return tonumber(s, 36), id
end
-- The seq and size every entry starts with.
local function entryHead(e)
  local seq, size = string.match(e, '^{"seq":(%d+),"size":(%d+),')
  return tonumber(seq), tonumber(size)
end
local function num(x) return tonumber(x or '0') or 0 end
-- The bytes a text takes inside its JSON entry, as layout.ts textSize counts them: quotes and
-- backslashes escaped with one more byte, b f n r t too, other control characters as six bytes.
local function storedSize(text)
  local _, quoted = string.gsub(text, '["\\\\]', '')
  local _, short = string.gsub(text, '[\\b\\f\\n\\r\\t]', '')
  local _, control = string.gsub(text, '[%z\\1-\\31]', '')
  return #text + quoted + short + 5 * (control - short)
end
-- Whether this user's memos are still in an earlier layout (migrated before any use).
local function legacy(list, older, meta)
  if redis.call('HGET', meta, 'v') == '2' then return false end
  return redis.call('EXISTS', list) == 1 or redis.call('EXISTS', older) == 1
end
-- The tag index after a memo's tags changed (docs/data.md). KEYS from \`first\` (5 unless
-- said): the tag list (tag -> how many memos carry it), then the memo set of each tag that
-- changed, removals first; marks:
-- '+' or '-' per such key. A new tag beyond maxTags stays text only. O(changed tags x log n).
local function retag(id, seq, marks, maxTags, first)
  first = first or 5
  local tags = KEYS[first]
  for i = first + 1, #KEYS do
    local key = KEYS[i]
    local tag = string.sub(key, #tags + 2)
    if string.sub(marks, i - first, i - first) == '+' then
      if redis.call('ZSCORE', tags, tag) or redis.call('ZCARD', tags) < maxTags then
        redis.call('ZADD', key, seq, id)
      end
    else
      redis.call('ZREM', key, id)
    end
    local n = redis.call('ZCARD', key)
    if n == 0 then redis.call('ZREM', tags, tag) else redis.call('ZADD', tags, n, tag) end
  end
end
-- Whether writes should move a batch (a move is under way, or dead refs have piled up).
local function due(meta)
  if redis.call('HGET', meta, 'moving') == '1' then return 1 end
  local dead = num(redis.call('HGET', meta, 'dead'))
  if dead >= ${DEAD_MIN} and dead * ${DEAD_RATIO} >= num(redis.call('HGET', meta, 'count')) then return 1 end
  return 0
end
`;

/**
 * Who writes, checked first by every script that can create a key of a user, in the same atomic
 * step as the write: so once a session ended (logout, 회원 탈퇴, Naver's unlink) nothing in flight
 * writes for it. The guard's key and values come first and are taken off KEYS and ARGV, so the
 * script below reads its own arguments from 1 as if there were no guard.
 * KEYS[1]: the session (mode 's': it must still name the user, ARGV[2]), or the user's erasure
 * mark (mode 'l', a session minted before sessions moved into the user's slot: refused when the
 * account was erased at or after ARGV[2], the session's issue time in ms), or any key of the user
 * (mode '': a tool of ours, no session). Refused: {'nosession'}.
 */
export const GUARD = `
local guardKey = table.remove(KEYS, 1)
local guardMode, guardValue = table.remove(ARGV, 1), table.remove(ARGV, 1)
if guardMode == 's' then
  if redis.call('GET', guardKey) ~= guardValue then return {'nosession'} end
elseif guardMode == 'l' then
  local erased = redis.call('GET', guardKey)
  if erased and tonumber(erased) >= tonumber(guardValue) then return {'nosession'} end
end
`;

/**
 * One page of the order (the list, then \`:older\` while a move is under way), newest first.
 * ARGV: limit, pos, seq, budget[, the session's user]. The cursor (pos, seq) says where the
 * last page ended: pos refs were older than its last memo, whose seq it names. A move drops
 * dead refs and so shifts positions: when the ref at pos does not follow seq any more, the
 * start is found again by binary search on the refs' seqs (which only grow towards the head).
 * KEYS: list, older, memos, meta, pins[, the session]. Pinned memos are not in the order's
 * pages: the first page (no cursor) brings them all (at most PIN_MAX), newest pin first, and
 * later pages skip them (each skip costs one ZSCORE; at most PIN_MAX of them).
 * Reply: {'ok', refs left, seq of the last ref read, entries, count, bytes, pinned entries,
 * their pin times}, or {'migrate'} / {'move'} (the caller moves first), or {'nosession'}.
 */
export const PAGE = `${HELPERS}
local list, older, memos, meta, pins = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
if KEYS[6] and redis.call('GET', KEYS[6]) ~= ARGV[5] then return {'nosession'} end
if legacy(list, older, meta) then return {'migrate'} end
local limit, pos, target, budget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local lenA = redis.call('LLEN', list)
local len = lenA + redis.call('LLEN', older)
local function at(i)
  if i < lenA then return redis.call('LINDEX', list, i) end
  return redis.call('LINDEX', older, i - lenA)
end
local function range(i, j)
  local out = {}
  if i < lenA then
    for _, x in ipairs(redis.call('LRANGE', list, i, math.min(j, lenA - 1))) do out[#out + 1] = x end
  end
  if j >= lenA then
    for _, x in ipairs(redis.call('LRANGE', older, math.max(i, lenA) - lenA, j - lenA)) do out[#out + 1] = x end
  end
  return out
end
local function seqAt(i) return (parseRef(at(i))) end

local start = 0
if pos >= 0 then
  start = math.max(0, len - pos)
  if target > 0 and start <= len then
    local here = start >= len or (seqAt(start) or -1) < target
    local above = start == 0 or (seqAt(start - 1) or -1) >= target
    if not (here and above) then
      local lo, hi = 0, len
      while lo < hi do
        local mid = math.floor((lo + hi) / 2)
        local s = seqAt(mid)
        if not s then return {'move'} end
        if s < target then hi = mid else lo = mid + 1 end
      end
      start = lo
    end
  end
end

local npins = redis.call('ZCARD', pins)
local pinned, pinnedAt = {}, {}
if npins > 0 and pos < 0 then
  local ids = redis.call('ZREVRANGE', pins, 0, -1, 'WITHSCORES')
  for k = 1, #ids, 2 do
    local e = redis.call('HGET', memos, ids[k])
    if e then pinned[#pinned + 1], pinnedAt[#pinnedAt + 1] = e, ids[k + 1] end
  end
end

local out, i, scanned, last = {}, start, 0, 0
while #out < limit and i < len and scanned < budget do
  local refs = range(i, i + math.min(limit - #out, len - i, budget - scanned) - 1)
  local ids, seqs = {}, {}
  for k, x in ipairs(refs) do
    local s, id = parseRef(x)
    if not s then return {'move'} end
    seqs[k], ids[k] = s, id
  end
  local entries = redis.call('HMGET', memos, unpack(ids))
  for k = 1, #refs do
    i, scanned, last = i + 1, scanned + 1, seqs[k]
    local e = entries[k]
    if e and entryHead(e) == seqs[k] and (npins == 0 or not redis.call('ZSCORE', pins, ids[k])) then
      out[#out + 1] = e
    end
  end
end
local usage = redis.call('HMGET', meta, 'count', 'bytes')
return {'ok', len - i, last, out, num(usage[1]), num(usage[2]), pinned, pinnedAt}
`;

/**
 * Pins a memo (KEYS: the guard, memos, pins; ARGV: the guard's two, id, now in ms, max pins).
 * Reply: 'ok' (also when it was pinned already), 'missing', 'full' at max pins, or {'nosession'}.
 */
export const PIN = `${GUARD}
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 'missing' end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 'ok' end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return 'full' end
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), ARGV[1])
return 'ok'
`;

/** One entry by id. ARGV: id. Reply: the entry, false, or {'migrate'}. */
export const GET = `${HELPERS}
local e = redis.call('HGET', KEYS[3], ARGV[1])
if e then return e end
if legacy(KEYS[1], KEYS[2], KEYS[4]) then return {'migrate'} end
return false
`;

/**
 * A new memo at the head of the order. KEYS: the four, the idempotency hash and its times, the
 * tag list and the tags' sets. ARGV: id, the entry after \`{"seq":N,\`, its text size, max
 * count, max bytes, tag marks, max tags, the idempotency key ('' for none), now in ms, keys to
 * keep. An add whose key was used already adds nothing and names the memo that key made.
 * Reply: {'ok', seq, count, bytes, due}, {'quota', which, count, bytes}, {'exists'},
 * {'replay', id} or {'migrate'}.
 */
export const ADD = `${HELPERS}${GUARD}
local list, older, memos, meta, idem, idemAt = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
if legacy(list, older, meta) then return {'migrate'} end
local key = ARGV[8]
if key ~= '' then
  local made = redis.call('HGET', idem, key)
  if made then return {'replay', made} end
end
local usage = redis.call('HMGET', meta, 'count', 'bytes')
local count, bytes, size = num(usage[1]), num(usage[2]), tonumber(ARGV[3])
if redis.call('HEXISTS', memos, ARGV[1]) == 1 then return {'exists'} end
if count + 1 > tonumber(ARGV[4]) then return {'quota', 'memos', count, bytes} end
if bytes + size > tonumber(ARGV[5]) then return {'quota', 'bytes', count, bytes} end
local seq = redis.call('HINCRBY', meta, 'seq', 1)
redis.call('HSET', memos, ARGV[1], '{"seq":' .. seq .. ',' .. ARGV[2])
redis.call('LPUSH', list, base36(seq) .. ':' .. ARGV[1])
redis.call('HSET', meta, 'v', '2')
-- A user with no memo has a complete (empty) tag index: from here writes keep it complete.
if count == 0 then redis.call('HSET', meta, 'tags', '1') end
redis.call('HINCRBY', meta, 'count', 1)
redis.call('HINCRBY', meta, 'bytes', size)
if key ~= '' then
  redis.call('HSET', idem, key, ARGV[1])
  redis.call('ZADD', idemAt, tonumber(ARGV[9]), key)
  local over = redis.call('ZCARD', idemAt) - tonumber(ARGV[10])
  if over > 0 then
    for _, old in ipairs(redis.call('ZRANGE', idemAt, 0, over - 1)) do
      redis.call('ZREM', idemAt, old)
      redis.call('HDEL', idem, old)
    end
  end
end
retag(ARGV[1], seq, ARGV[6], tonumber(ARGV[7]), 7)
return {'ok', seq, count + 1, bytes + size, due(meta)}
`;

/**
 * Replaces an entry if it is still the one the caller read (compare and set). ARGV: id, the
 * entry read, the new entry, the change in text size, max bytes. Reply: {'ok', due},
 * {'changed'}, {'missing'} or {'quota', 'bytes', count, bytes}.
 */
export const REPLACE = `${HELPERS}${GUARD}
local memos, meta = KEYS[3], KEYS[4]
local current = redis.call('HGET', memos, ARGV[1])
if not current then return {'missing'} end
if current ~= ARGV[2] then return {'changed'} end
local delta = tonumber(ARGV[4])
local usage = redis.call('HMGET', meta, 'count', 'bytes')
if delta > 0 and num(usage[2]) + delta > tonumber(ARGV[5]) then
  return {'quota', 'bytes', num(usage[1]), num(usage[2])}
end
redis.call('HSET', memos, ARGV[1], ARGV[3])
if delta ~= 0 then redis.call('HINCRBY', meta, 'bytes', delta) end
retag(ARGV[1], (entryHead(current)), ARGV[6], tonumber(ARGV[7]))
return {'ok', due(meta)}
`;

/**
 * Deletes an entry; its ref stays in the order, dead, until a move drops it. ARGV: id.
 * Reply: {'ok', due}, {'missing'} or {'migrate'}.
 */
export const DELETE = `${HELPERS}${GUARD}
local list, older, memos, meta = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local e = redis.call('HGET', memos, ARGV[1])
if not e then
  if legacy(list, older, meta) then return {'migrate'} end
  return {'missing'}
end
if ARGV[2] ~= '' and e ~= ARGV[2] then return {'changed'} end
local seq, size = entryHead(e)
redis.call('HDEL', memos, ARGV[1])
redis.call('HINCRBY', meta, 'count', -1)
redis.call('HINCRBY', meta, 'bytes', -(size or 0))
redis.call('HINCRBY', meta, 'dead', 1)
retag(ARGV[1], seq, ARGV[3], 0)
return {'ok', due(meta)}
`;

/**
 * One step of a move: a bounded batch (MOVE_WORK) of refs from the old end of the list to the head of
 * \`:older\`, dropping dead ones; an entry of an earlier layout becomes an entry of this one
 * on the way (the migration). When the list is empty, \`:older\` takes its name and the move
 * is over. A move starts when the user's memos are in an earlier layout or dead refs have
 * piled up (see due), or when ARGV[1] is '1' (a reader met an entry of an earlier layout).
 * Reply: 'idle' (nothing to do), 'more' or 'done'.
 *
 * It may run when Redis is at its memory ceiling (allow-oom): it takes about the memory it
 * frees, and without it a user whose memos are still in an earlier layout could not even read
 * them then.
 *
 * An older entry found in a list that is already of layout 2 was pushed there by a replica
 * of the previous version during a rolling update: it is the newest memo, so its ref goes to
 * the head of the list rather than into the middle of the order.
 */
export const MOVE = `#!lua flags=allow-oom
${HELPERS}
local list, older, memos, meta = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local v2 = redis.call('HGET', meta, 'v') == '2'
if redis.call('HGET', meta, 'moving') ~= '1' then
  if v2 then
    -- ARGV[1] '1': a reader met an entry of an earlier layout in this list (the original app
    -- pushed it while both apps share this Redis): a move adopts it even when none is due.
    if due(meta) == 0 and ARGV[1] ~= '1' then return 'idle' end
  elseif redis.call('EXISTS', list) == 0 and redis.call('EXISTS', older) == 0 then
    return 'idle'
  end
  redis.call('HSET', meta, 'moving', '1')
end

local function validId(id)
  if type(id) ~= 'string' then return false end
  if string.match(id, '^m[0-9a-z]+$') then return #id >= 11 and #id <= 41 end
  return string.match(id, '^o[0-9a-f]+$') ~= nil and #id == 21
end
-- An entry of layout 0 (a plain string) or 1 (JSON) as id, text and the two times as JSON.
local function convert(x)
  if string.sub(x, 1, 13) == '{"v":1,"id":"' then
    local ok, value = pcall(cjson.decode, x)
    if ok and type(value) == 'table' and value.v == 1 and type(value.text) == 'string' then
      local created = type(value.createdAt) == 'string' and cjson.encode(value.createdAt) or 'null'
      local updated = type(value.updatedAt) == 'string' and cjson.encode(value.updatedAt) or 'null'
      return validId(value.id) and value.id or nil, value.text, created, updated
    end
  end
  return 'o' .. string.sub(redis.sha1hex(x), 1, 20), x, 'null', 'null'
end
-- The counters change once per step, not once per entry.
local seq = num(redis.call('HGET', meta, 'seq'))
local added, addedBytes, dropped = 0, 0, 0
local function adopt(x, into)
  seq = seq + 1
  local id, text, created, updated = convert(x)
  if id and redis.call('HEXISTS', memos, id) == 1 then
    -- The same text twice in the original, or an id taken: a fresh id for this one.
    id = string.sub(id, 1, 1) == 'o' and ('o' .. string.sub(redis.sha1hex(x .. '\\0' .. seq), 1, 20)) or nil
    if id and redis.call('HEXISTS', memos, id) == 1 then id = nil end
  end
  if not id then
    local s = base36(seq)
    id = 'm' .. string.rep('0', 11 - #s) .. s
  end
  local size = storedSize(text)
  redis.call('HSET', memos, id, '{"seq":' .. seq .. ',"size":' .. size .. ',"id":"' .. id .. '","text":' ..
    cjson.encode(text) .. ',"createdAt":' .. created .. ',"updatedAt":' .. updated .. '}')
  redis.call('LPUSH', into, base36(seq) .. ':' .. id)
  added, addedBytes = added + 1, addedBytes + size
end

local work, bytes = 0, 0
while work < ${MOVE_WORK} and bytes < ${MOVE_BYTES} do
  local x = redis.call('RPOP', list)
  if not x then break end
  local refSeq, id = parseRef(x)
  if refSeq then
    -- Kept while its memo exists (without copying the entry). A ref whose id was deleted and
    -- made anew (an import) is kept too: pages skip it by its seq, as they skip any dead ref.
    work, bytes = work + 1, bytes + #x
    if redis.call('HEXISTS', memos, id) == 1 then
      redis.call('LPUSH', older, x)
    else
      dropped = dropped + 1
    end
  else
    work, bytes = work + 4, bytes + #x
    adopt(x, v2 and list or older)
  end
end
if added > 0 then
  redis.call('HSET', meta, 'seq', seq)
  redis.call('HINCRBY', meta, 'count', added)
  redis.call('HINCRBY', meta, 'bytes', addedBytes)
end
if dropped > 0 then redis.call('HINCRBY', meta, 'dead', -dropped) end
if redis.call('EXISTS', list) == 1 then return 'more' end
if redis.call('EXISTS', older) == 1 then redis.call('RENAME', older, list) end
redis.call('HSET', meta, 'v', '2')
redis.call('HDEL', meta, 'moving')
if num(redis.call('HGET', meta, 'dead')) < 0 then redis.call('HSET', meta, 'dead', '0') end
return 'done'
`;

/**
 * Memos of an import, a batch in one script (the caller sends the batch oldest first): each
 * one whose id is not there yet is added at the top under its own id, its tags indexed and
 * its pin kept (up to max pins); one whose id is there is skipped (its pin still kept), so an
 * import can run twice. Stops at the first memo that does not fit the quotas: what came
 * before stays. A batch costs a fixed number of commands plus one per tag it carries, whatever
 * its size: the commands take many fields or members at once.
 * KEYS: the guard, the four, pins, the tag list, then the memo set of each tag the batch
 * carries. ARGV: the guard's two, max count, max bytes, max pins, max tags, how many memos,
 * then five per memo: id, the entry after `{"seq":N,`, its text size, its pin time in ms ('' if
 * none), the numbers of its tags' keys among the tag keys (1-based, comma separated).
 * Reply: {'ok', added, skipped, quota reached ('' | 'memos' | 'bytes'), count, bytes, due},
 * {'migrate'} or {'nosession'}.
 */
export const IMPORT = `${HELPERS}${GUARD}
local list, older, memos, meta, pins, tags = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
if legacy(list, older, meta) then return {'migrate'} end
local maxCount, maxBytes = tonumber(ARGV[1]), tonumber(ARGV[2])
local maxPins, maxTags, n = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local usage = redis.call('HMGET', meta, 'count', 'bytes', 'seq')
local count, bytes, seq = num(usage[1]), num(usage[2]), num(usage[3])
-- A user with no memo has a complete (empty) tag index, which this import keeps complete.
if count == 0 then redis.call('HSET', meta, 'tags', '1') end
local ids = {}
for k = 1, n do ids[k] = ARGV[5 + (k - 1) * 5 + 1] end
local there = redis.call('HMGET', memos, unpack(ids))
local entries, refs, pinned, seen = {}, {}, {}, {}
local tagged = {}
local added, skipped, quota = 0, 0, ''
for k = 1, n do
  local at = 5 + (k - 1) * 5
  local id, tail, size, pinAt, tagIdx = ARGV[at + 1], ARGV[at + 2], tonumber(ARGV[at + 3]), ARGV[at + 4], ARGV[at + 5]
  if there[k] or seen[id] then
    skipped = skipped + 1
  else
    if count + 1 > maxCount then quota = 'memos' break end
    if bytes + size > maxBytes then quota = 'bytes' break end
    seq, count, bytes, added = seq + 1, count + 1, bytes + size, added + 1
    seen[id] = true
    entries[#entries + 1] = id
    entries[#entries + 1] = '{"seq":' .. seq .. ',' .. tail
    refs[#refs + 1] = base36(seq) .. ':' .. id
    for i in string.gmatch(tagIdx, '%d+') do
      local members = tagged[tonumber(i)] or {}
      members[#members + 1] = seq
      members[#members + 1] = id
      tagged[tonumber(i)] = members
    end
  end
  if pinAt ~= '' then pinned[#pinned + 1] = {tonumber(pinAt), id} end
end
if added > 0 then
  redis.call('HSET', memos, unpack(entries))
  redis.call('LPUSH', list, unpack(refs))
  redis.call('HSET', meta, 'v', '2', 'seq', seq, 'count', count, 'bytes', bytes)
  -- The tag list: each tag's count is what it was plus the memos its set gained.
  local known, size = {}, 0
  local flat = redis.call('ZRANGE', tags, 0, -1, 'WITHSCORES')
  for i = 1, #flat, 2 do known[flat[i]] = tonumber(flat[i + 1]); size = size + 1 end
  local counts = {}
  for i, members in pairs(tagged) do
    local key = KEYS[6 + i]
    local tag = string.sub(key, #tags + 2)
    if known[tag] or size < maxTags then
      if not known[tag] then size = size + 1 end
      local gained = redis.call('ZADD', key, unpack(members))
      counts[#counts + 1] = (known[tag] or 0) + gained
      counts[#counts + 1] = tag
    end
  end
  if #counts > 0 then redis.call('ZADD', tags, unpack(counts)) end
end
if #pinned > 0 then
  local room = maxPins - redis.call('ZCARD', pins)
  local pin = {}
  for _, p in ipairs(pinned) do
    if room <= 0 then break end
    -- A memo pinned already keeps its pin (and takes no room).
    if not redis.call('ZSCORE', pins, p[2]) then
      pin[#pin + 1] = p[1]
      pin[#pin + 1] = p[2]
      room = room - 1
    end
  end
  if #pin > 0 then redis.call('ZADD', pins, unpack(pin)) end
end
return {'ok', added, skipped, quota, count, bytes, due(meta)}
`;

/**
 * Indexes one memo's tags as its text is now (building the index of a user whose memos predate
 * it): KEYS as retag; ARGV: id, the entry as read ('' when there is none; if it changed since,
 * nothing is done), marks, max tags. Adding is idempotent, so the build can run twice. Reply: 'ok' or 'changed'.
 */
export const RETAG = `${HELPERS}
local e = redis.call('HGET', KEYS[3], ARGV[1])
if (e or '') ~= ARGV[2] then return 'changed' end
retag(ARGV[1], e and entryHead(e) or 0, ARGV[3], tonumber(ARGV[4]))
return 'ok'
`;

/**
 * One page of the memos carrying a tag, newest first. KEYS: memos, meta, the tag's memo set,
 * pins[, the session]. ARGV: limit, the seq the last page ended below ('' for the first)[, the
 * session's user]. O(log n + limit). Reply: {'ok', entries, their pin times (false: not
 * pinned), seq to go on below (0: last page), count, bytes}, or {'nosession'}.
 */
export const TAG_PAGE = `${HELPERS}
local memos, meta, set, pins = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if KEYS[5] and redis.call('GET', KEYS[5]) ~= ARGV[3] then return {'nosession'} end
local limit = tonumber(ARGV[1])
local max = ARGV[2] == '' and '+inf' or '(' .. ARGV[2]
local found = redis.call('ZREVRANGEBYSCORE', set, max, '-inf', 'WITHSCORES', 'LIMIT', 0, limit + 1)
local out, at, next = {}, {}, 0
for k = 1, math.min(#found, limit * 2), 2 do
  local e = redis.call('HGET', memos, found[k])
  if e then
    out[#out + 1] = e
    at[#at + 1] = redis.call('ZSCORE', pins, found[k]) or ''
  end
  next = tonumber(found[k + 1])
end
if #found <= limit * 2 then next = 0 end
local usage = redis.call('HMGET', meta, 'count', 'bytes')
return {'ok', out, at, next, num(usage[1]), num(usage[2])}
`;

/** Every script by name (for reports that meet them by their SHA-1 in Redis's SLOWLOG). */
export const SCRIPTS: Readonly<Record<string, string>> = {
  IMPORT,
  PAGE,
  GET,
  ADD,
  REPLACE,
  DELETE,
  MOVE,
  PIN,
  RETAG,
  TAG_PAGE,
};
