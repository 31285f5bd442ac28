--[[
  Replaces an entry if it is still the one the caller read (compare and set), with its tags
  and the byte quota.

  Input:
    KEYS[1] guard       see includes/guard.lua
    KEYS[2] memos
    KEYS[3] meta
    KEYS[4] tags        the tag list
    KEYS[5] trash       (a quota refusal first counts off a trash that expired as a whole)
    KEYS[6] trashAt
    KEYS[7..] tagSets   the memo set of each tag that changes, removals first
    ARGV[1] guardMode
    ARGV[2] guardValue
    ARGV[3] id
    ARGV[4] read        the entry as read
    ARGV[5] entry       the new entry
    ARGV[6] delta       the change in text size
    ARGV[7] maxBytes
    ARGV[8] marks       '+' or '-' for each tag set
    ARGV[9] maxTags

  Output: {'ok', due}, {'changed'}, {'missing'}, {'quota', 'bytes', count, bytes} or {'nosession'}.
]]
--- @include "helpers"
--- @include "guard"
local memos, meta = K.memos, K.meta
local current = redis.call('HGET', memos, A.id)
if not current then return {'missing'} end
if current ~= A.read then return {'changed'} end
local delta = tonumber(A.delta)
local usage = redis.call('HMGET', meta, 'count', 'bytes')
if delta > 0 and num(usage[2]) + delta > tonumber(A.maxBytes) and trashLapsed(meta, K.trash, K.trashAt) then
  usage = redis.call('HMGET', meta, 'count', 'bytes')
end
if delta > 0 and num(usage[2]) + delta > tonumber(A.maxBytes) then
  return {'quota', 'bytes', num(usage[1]), num(usage[2])}
end
redis.call('HSET', memos, A.id, A.entry)
changed(meta)
if delta ~= 0 then redis.call('HINCRBY', meta, 'bytes', delta) end
retag(A.id, (entryHead(current)), A.marks, tonumber(A.maxTags), K.tags, K.tagSets)
return {'ok', due(meta)}
