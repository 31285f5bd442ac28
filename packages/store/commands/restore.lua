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

  Output: {'ok', seq}, {'missing'}, {'changed'} or {'nosession'}.
]]
--- @include "helpers"
--- @include "guard"
local meta = K.meta
trashLapsed(meta, K.trash, K.trashAt)
local e = redis.call('HGET', K.trash, A.id)
if not e then return {'missing'} end
if e ~= A.read then return {'changed'} end
local _, size = entryHead(e)
local seq = num(redis.call('HGET', meta, 'seq')) + 1
local head = string.match(e, '^{"seq":%d+,')
redis.call('HSET', K.memos, A.id, '{"seq":' .. seq .. ',' .. string.sub(e, #head + 1))
redis.call('LPUSH', K.list, base36(seq) .. ':' .. A.id)
redis.call('HDEL', K.trash, A.id)
redis.call('ZREM', K.trashAt, A.id)
redis.call('HSET', meta, 'seq', seq)
redis.call('HINCRBY', meta, 'tcount', -1)
redis.call('HINCRBY', meta, 'tbytes', -(size or 0))
changed(meta)
retag(A.id, seq, A.marks, tonumber(A.maxTags), K.tags, K.tagSets)
return {'ok', seq}
