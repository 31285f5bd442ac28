--[[
  Memos of an import, a batch in one script (the caller sends the batch oldest first): each one
  whose id is not there yet is added at the top under its own id, its tags indexed and its pin
  kept (up to max pins); one whose id is there is skipped (its pin still kept), so an import
  can run twice. Stops at the first memo that does not fit the quotas: what came before stays.
  A batch costs a fixed number of commands plus one per tag it carries, whatever its size: the
  commands take many fields or members at once.

  Input:
    KEYS[1] guard       see includes/guard.lua
    KEYS[2] list
    KEYS[3] older
    KEYS[4] memos
    KEYS[5] meta
    KEYS[6] pins
    KEYS[7] tags        the tag list
    KEYS[8..] tagSets   the memo set of each tag the batch carries
    ARGV[1] guardMode
    ARGV[2] guardValue
    ARGV[3] maxCount
    ARGV[4] maxBytes
    ARGV[5] maxPins
    ARGV[6] maxTags
    ARGV[7..] memos     five a memo: id, the entry after `{"seq":N,`, its text size, its pin
                        time in ms ('' if none), the numbers of its tags' sets among tagSets
                        (1-based, comma separated)

  Output: {'ok', added, skipped, quota reached ('' | 'memos' | 'bytes'), count, bytes, due},
    {'migrate'} or {'nosession'}.
]]
--- @include "helpers"
--- @include "guard"
local list, older, memos, meta, pins, tags = K.list, K.older, K.memos, K.meta, K.pins, K.tags
if legacy(list, older, meta) then return {'migrate'} end
local maxCount, maxBytes = tonumber(A.maxCount), tonumber(A.maxBytes)
local maxPins, maxTags, n = tonumber(A.maxPins), tonumber(A.maxTags), #A.memos / 5
local usage = redis.call('HMGET', meta, 'count', 'bytes', 'seq')
local count, bytes, seq = num(usage[1]), num(usage[2]), num(usage[3])
-- A user with no memo has a complete (empty) tag index, which this import keeps complete.
if count == 0 then redis.call('HSET', meta, 'tags', '1') end
local ids = {}
for k = 1, n do ids[k] = A.memos[(k - 1) * 5 + 1] end
local there = redis.call('HMGET', memos, unpack(ids))
local entries, refs, pinned, seen = {}, {}, {}, {}
local tagged = {}
local added, skipped, quota = 0, 0, ''
for k = 1, n do
  local at = (k - 1) * 5
  local id, tail, size = A.memos[at + 1], A.memos[at + 2], tonumber(A.memos[at + 3])
  local pinAt, tagIdx = A.memos[at + 4], A.memos[at + 5]
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
    local key = K.tagSets[i]
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
changed(meta)
return {'ok', added, skipped, quota, count, bytes, due(meta)}
