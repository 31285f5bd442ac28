--[[
  Deletes an entry if it is still the one the caller read; its ref stays in the order, dead,
  until a move drops it.

  Input:
    KEYS[1] guard       see includes/guard.lua
    KEYS[2] list
    KEYS[3] older
    KEYS[4] memos
    KEYS[5] meta
    KEYS[6] pins
    KEYS[7] tags        the tag list
    KEYS[8..] tagSets   the memo set of each tag the memo carried
    ARGV[1] guardMode
    ARGV[2] guardValue
    ARGV[3] id
    ARGV[4] read        the entry as read ('' to delete whatever is there)
    ARGV[5] marks       '-' for each tag set

  Output: {'ok', due}, {'missing'}, {'changed'}, {'migrate'} or {'nosession'}.
]]
--- @include "helpers"
--- @include "guard"
local list, older, memos, meta = K.list, K.older, K.memos, K.meta
local e = redis.call('HGET', memos, A.id)
if not e then
  if legacy(list, older, meta) then return {'migrate'} end
  return {'missing'}
end
if A.read ~= '' and e ~= A.read then return {'changed'} end
local seq, size = entryHead(e)
redis.call('HDEL', memos, A.id)
redis.call('HINCRBY', meta, 'count', -1)
redis.call('HINCRBY', meta, 'bytes', -(size or 0))
redis.call('HINCRBY', meta, 'dead', 1)
-- A pin of a deleted memo would only be skipped; it goes, so it does not count.
redis.call('ZREM', K.pins, A.id)
changed(meta)
retag(A.id, seq, A.marks, 0, K.tags, K.tagSets)
return {'ok', due(meta)}
