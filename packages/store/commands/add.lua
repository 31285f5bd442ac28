--[[
  A new memo at the head of the order. An add whose idempotency key was used already adds
  nothing and names the memo that key made.

  Input:
    KEYS[1] guard       see includes/guard.lua
    KEYS[2] list
    KEYS[3] older
    KEYS[4] memos
    KEYS[5] meta
    KEYS[6] idem        idempotency key -> memo id
    KEYS[7] idemAt      idempotency key -> when
    KEYS[8] tags        the tag list
    KEYS[9] trash       (a quota refusal first counts off a trash that expired as a whole)
    KEYS[10] trashAt
    KEYS[11..] tagSets  the memo set of each tag the memo carries
    ARGV[1] guardMode
    ARGV[2] guardValue
    ARGV[3] id
    ARGV[4] tail        the entry after `{"seq":N,`
    ARGV[5] size        its text's size
    ARGV[6] maxCount
    ARGV[7] maxBytes
    ARGV[8] marks       '+' for each tag set
    ARGV[9] maxTags
    ARGV[10] key        the idempotency key ('' for none)
    ARGV[11] now        ms
    ARGV[12] keep       idempotency keys to keep

  Output: {'ok', seq, count, bytes, due}, {'quota', which, count, bytes}, {'exists'},
    {'replay', id}, {'migrate'} or {'nosession'}.
]]
--- @include "helpers"
--- @include "guard"
-- The layout, the usage, the counters and whether a move is due, in one read; written back in one.
local list, older, memos, meta = K.list, K.older, K.memos, K.meta
local m = redis.call('HMGET', meta, 'v', 'count', 'bytes', 'seq', 'w', 'moving', 'dead')
if m[1] ~= '2' and (redis.call('EXISTS', list) == 1 or redis.call('EXISTS', older) == 1) then return {'migrate'} end
local key = A.key
if key ~= '' then
  local made = redis.call('HGET', K.idem, key)
  if made then return {'replay', made} end
end
local count, bytes, size = num(m[2]), num(m[3]), tonumber(A.size)
if (count + 1 > tonumber(A.maxCount) or bytes + size > tonumber(A.maxBytes)) and trashLapsed(meta, K.trash, K.trashAt) then
  local u = redis.call('HMGET', meta, 'count', 'bytes')
  count, bytes = num(u[1]), num(u[2])
end
if count + 1 > tonumber(A.maxCount) then return {'quota', 'memos', count, bytes} end
if bytes + size > tonumber(A.maxBytes) then return {'quota', 'bytes', count, bytes} end
local seq = num(m[4]) + 1
if redis.call('HSETNX', memos, A.id, '{"seq":' .. seq .. ',' .. A.tail) == 0 then return {'exists'} end
redis.call('LPUSH', list, base36(seq) .. ':' .. A.id)
count, bytes = count + 1, bytes + size
-- w goes up as changed() would raise it (written as an integer: it is past what Lua prints
-- exactly). A user with no memo had a complete (empty) tag index: from here writes keep it complete.
local w = m[5] and string.format('%d', tonumber(m[5]) + 1) or firstW()
if count == 1 then
  redis.call('HSET', meta, 'v', '2', 'seq', seq, 'count', count, 'bytes', bytes, 'w', w, 'tags', '1')
else
  redis.call('HSET', meta, 'v', '2', 'seq', seq, 'count', count, 'bytes', bytes, 'w', w)
end
if key ~= '' then
  redis.call('HSET', K.idem, key, A.id)
  redis.call('ZADD', K.idemAt, tonumber(A.now), key)
  local over = redis.call('ZCARD', K.idemAt) - tonumber(A.keep)
  if over > 0 then
    for _, old in ipairs(redis.call('ZRANGE', K.idemAt, 0, over - 1)) do
      redis.call('ZREM', K.idemAt, old)
      redis.call('HDEL', K.idem, old)
    end
  end
end
retag(A.id, seq, A.marks, tonumber(A.maxTags), K.tags, K.tagSets)
return {'ok', seq, count, bytes, dueBy(m[6], num(m[7]), count)}
