--[[
  Takes a memo out of the archive and puts it back at the head of the order (a new seq), as it
  was: its id, text, times and history; its tags back in the index. Its usage was counted all
  along.

  Input:
    KEYS[1] guard       see includes/guard.lua
    KEYS[2] list
    KEYS[3] memos
    KEYS[4] meta
    KEYS[5] archive
    KEYS[6] archiveAt
    KEYS[7] archiveTags
    KEYS[8] tags        the tag list
    KEYS[9..] tagSets   the memo set of each tag the memo carries
    ARGV[1] guardMode
    ARGV[2] guardValue
    ARGV[3] id
    ARGV[4] read        the entry as read from the archive
    ARGV[5] marks       '+' for each tag set
    ARGV[6] maxTags
    ARGV[7..] members   '<tag>:<seq>:<id>' for each tag it carries, as archive.lua added them

  Output: {'ok', seq}, {'missing'}, {'changed'}, {'exists'} (a memo of that id is in the list
    again, imported since: nothing changes) or {'nosession'}.
]]
--- @include "helpers"
--- @include "guard"
local meta = K.meta
local m = redis.call('HMGET', meta, 'seq', 'w')
local e = redis.call('HGET', K.archive, A.id)
if not e then return {'missing'} end
if e ~= A.read then return {'changed'} end
if redis.call('HEXISTS', K.memos, A.id) == 1 then return {'exists'} end
local seq = num(m[1]) + 1
local head = string.match(e, '^{"seq":%d+,')
redis.call('HSET', K.memos, A.id, '{"seq":' .. seq .. ',' .. string.sub(e, #head + 1))
redis.call('LPUSH', K.list, base36(seq) .. ':' .. A.id)
redis.call('HDEL', K.archive, A.id)
redis.call('ZREM', K.archiveAt, A.id)
if #A.members > 0 then redis.call('ZREM', K.archiveTags, unpack(A.members)) end
-- w goes up as changed() would raise it (see add.lua).
local w = m[2] and string.format('%d', tonumber(m[2]) + 1) or firstW()
redis.call('HSET', meta, 'seq', seq, 'w', w)
retag(A.id, seq, A.marks, tonumber(A.maxTags), K.tags, K.tagSets)
return {'ok', seq}
