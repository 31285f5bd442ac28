--[[
  One page of the order (the list, then :older while a move is under way), newest first.
  The cursor (pos, seq) says where the last page ended: pos refs were older than its last memo,
  whose seq it names. A move drops dead refs and so shifts positions: when the ref at pos does
  not follow seq any more, the start is found again by binary search on the refs' seqs (which
  only grow towards the head). Pinned memos are not in the order's pages: the first page (no
  cursor) brings them all (at most PIN_MAX), newest pin first, and later pages skip them (each
  skip costs one ZSCORE; at most PIN_MAX of them).

  The first page as last sent (KEYS[6] firstPage, kept by keep.lua) is answered as it is while
  nothing changed: its key names the user's write count (meta's w, which every script that
  changes what a page shows raises), the list's length (the original app's LPUSH raises no w),
  the limit and the form of the caller's text. That is the hot read: a few O(1) commands.

  Input:
    KEYS[1] list       the order
    KEYS[2] older      its second half during a move
    KEYS[3] memos
    KEYS[4] meta
    KEYS[5] pins
    KEYS[6] firstPage  the first page as last sent (a hash: k its key, j its memos as JSON
                       text, r and l what 'ok' says of the rest)
    KEYS[7..] session  the session that must still name the user (none: no check)
    ARGV[1] limit
    ARGV[2] pos        -1 for the first page
    ARGV[3] seq        0: unknown
    ARGV[4] budget     refs the page may look at
    ARGV[5] user       the session's user
    ARGV[6] form       the form of the caller's JSON text ('' : the first page is not kept)

  Output: {'ok', refs left, seq of the last ref read, entries, count, bytes, pinned entries,
    their pin times, the key to keep this page under ('' : not to keep), the write count}, or
    {'kept', refs left, seq of the last ref read, the memos as JSON text, count, bytes}, or
    {'migrate'} / {'move'} (the caller moves first), or {'nosession'}.
]]
-- The kept first page first, before anything else is defined: it is the hot read.
if K.session[1] and redis.call('GET', K.session[1]) ~= A.user then return {'nosession'} end
local m = redis.call('HMGET', K.meta, 'v', 'count', 'bytes', 'w')
local lenA = redis.call('LLEN', K.list)
local keep = ''
if A.form ~= '' and tonumber(A.pos) < 0 and m[1] == '2' then
  keep = (m[4] or '0') .. ':' .. lenA .. ':' .. A.limit .. ':' .. A.form
  local kept = redis.call('HMGET', K.firstPage, 'k', 'j', 'r', 'l')
  if kept[1] == keep then
    return {'kept', tonumber(kept[3]), tonumber(kept[4]), kept[2], tonumber(m[2] or '0'), tonumber(m[3] or '0')}
  end
end

--- @include "helpers"
local list, older, memos, meta, pins = K.list, K.older, K.memos, K.meta, K.pins
if m[1] ~= '2' and (lenA > 0 or redis.call('EXISTS', older) == 1) then return {'migrate'} end
local limit, pos, target, budget = tonumber(A.limit), tonumber(A.pos), tonumber(A.seq), tonumber(A.budget)
local len = lenA + redis.call('LLEN', older)
local function at(i)
  if i < lenA then return redis.call('LINDEX', list, i) end
  return redis.call('LINDEX', older, i - lenA)
end
local function range(i, j)
  -- Within the list (no move under way, or a page of its first part): LRANGE's own answer.
  if j < lenA then return redis.call('LRANGE', list, i, j) end
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
return {'ok', len - i, last, out, num(m[2]), num(m[3]), pinned, pinnedAt, keep, m[4] or '0'}
