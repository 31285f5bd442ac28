--[[
  Takes a memo out of the trash and puts it back at the head of the order (a new seq), as it
  was deleted: its id, text and times; its tags back in the index, its pin not. Its usage was
  counted all along.

  Input:
    KEYS[1] guard       see includes/guard.lua
    KEYS[2] list
    KEYS[3] memos
    KEYS[4] meta
    KEYS[5] trash
    KEYS[6] trashAt
    KEYS[7] tags        the tag list
    KEYS[8..] tagSets   the memo set of each tag the memo carries
    ARGV[1] guardMode
    ARGV[2] guardValue
    ARGV[3] id
    ARGV[4] read        the entry as read from the trash
    ARGV[5] marks       '+' for each tag set
    ARGV[6] maxTags

  Output: {'ok', seq}, {'missing'}, {'changed'}, {'exists'} (a memo of that id is in the list
    again, imported since: nothing changes) or {'nosession'}.
]]
--- @include "helpers"
--- @include "guard"
local meta = K.meta
-- The counters, read once and written back in one (the tag index aside, a restore is a few commands).
local m = redis.call('HMGET', meta, 'seq', 'w', 'tcount', 'tbytes')
local e = redis.call('HGET', K.trash, A.id)
if not e then
  trashLapsed(meta, K.trash, K.trashAt)
  return {'missing'}
end
if e ~= A.read then return {'changed'} end
if redis.call('HEXISTS', K.memos, A.id) == 1 then return {'exists'} end
local _, size = entryHead(e)
local seq = num(m[1]) + 1
local head = string.match(e, '^{"seq":%d+,')
redis.call('HSET', K.memos, A.id, '{"seq":' .. seq .. ',' .. string.sub(e, #head + 1))
redis.call('LPUSH', K.list, base36(seq) .. ':' .. A.id)
redis.call('HDEL', K.trash, A.id)
redis.call('ZREM', K.trashAt, A.id)
-- w goes up as changed() would raise it (see add.lua).
local w = m[2] and string.format('%d', tonumber(m[2]) + 1) or firstW()
local tcount, tbytes = math.max(0, num(m[3]) - 1), math.max(0, num(m[4]) - (size or 0))
redis.call('HSET', meta, 'seq', seq, 'w', w, 'tcount', tcount, 'tbytes', tbytes)
retag(A.id, seq, A.marks, tonumber(A.maxTags), K.tags, K.tagSets)
return {'ok', seq}
