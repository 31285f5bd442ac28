--[[
  Replaces an entry if it is still the one the caller read (compare and set), with its tags
  and the byte quota. The text it replaces becomes the memo's newest version in its history,
  which keeps the last `versions` (the oldest past that go). The versions count in the bytes:
  at the byte quota, the memo's own oldest versions give way to the edit before it is refused.

  Input:
    KEYS[1] guard       see includes/guard.lua
    KEYS[2] memos
    KEYS[3] meta
    KEYS[4] tags        the tag list
    KEYS[5] trash       (a quota refusal first counts off a trash that expired as a whole)
    KEYS[6] trashAt
    KEYS[7] history
    KEYS[8..] tagSets   the memo set of each tag that changes, removals first
    ARGV[1] guardMode
    ARGV[2] guardValue
    ARGV[3] id
    ARGV[4] read        the entry as read
    ARGV[5] entry       the new entry
    ARGV[6] delta       the change in text size
    ARGV[7] maxBytes
    ARGV[8] marks       '+' or '-' for each tag set
    ARGV[9] maxTags
    ARGV[10] versions   how many versions a memo's history keeps (0: none, and none are kept)
    ARGV[11] version    the version the read text becomes ('' : none, the text is the same)
    ARGV[12] vsize      its size

  Output: {'ok', due}, {'changed'}, {'missing'}, {'quota', 'bytes', count, bytes} or {'nosession'}.
]]
--- @include "helpers"
--- @include "guard"
local memos, meta, history = K.memos, K.meta, K.history
local current = redis.call('HGET', memos, A.id)
if not current then return {'missing'} end
if current ~= A.read then return {'changed'} end
local delta, keep, maxBytes = tonumber(A.delta), tonumber(A.versions), tonumber(A.maxBytes)
-- What the history would keep: the versions there and the one this edit adds, oldest first,
-- the first `drop` of them dropped (past `keep`, then to make room).
local last, sizes = versionsOf(history, A.id)
local kept, had = {}, 0
for i, size in ipairs(sizes) do
  kept[i] = size
  had = had + size
end
local adding = keep > 0 and A.version ~= ''
if adding then kept[#kept + 1] = tonumber(A.vsize) end
local sum, drop = had + (adding and tonumber(A.vsize) or 0), 0
local function dropOne()
  drop = drop + 1
  sum = sum - kept[drop]
end
while #kept - drop > keep do dropOne() end
local usage = redis.call('HMGET', meta, 'count', 'bytes')
local function over() return delta + sum - had > 0 and num(usage[2]) + delta + sum - had > maxBytes end
if over() and trashLapsed(meta, K.trash, K.trashAt) then usage = redis.call('HMGET', meta, 'count', 'bytes') end
while over() and drop < #kept do dropOne() end
if over() then return {'quota', 'bytes', num(usage[1]), num(usage[2])} end
redis.call('HSET', memos, A.id, A.entry)
changed(meta)
-- The history: the dropped versions go (the new one is never written if it is dropped too),
-- the new one is written, and the index says which are left.
local gone, first = {}, last - #sizes + 1
for i = 1, math.min(drop, #sizes) do gone[i] = A.id .. ':' .. (first + i - 1) end
if #gone > 0 then redis.call('HDEL', history, unpack(gone)) end
if #kept - drop == 0 then
  if last > 0 then redis.call('HDEL', history, A.id) end
elseif adding or drop > 0 then
  if adding then
    last = last + 1
    redis.call('HSET', history, A.id .. ':' .. last, A.version)
  end
  redis.call('HSET', history, A.id, last .. ' ' .. table.concat(kept, ' ', drop + 1, #kept))
end
if delta + sum - had ~= 0 then redis.call('HINCRBY', meta, 'bytes', delta + sum - had) end
if sum ~= had then redis.call('HINCRBY', meta, 'hbytes', sum - had) end
retag(A.id, (entryHead(current)), A.marks, tonumber(A.maxTags), K.tags, K.tagSets)
return {'ok', due(meta)}
