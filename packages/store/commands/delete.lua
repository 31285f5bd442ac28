--[[
  Deletes an entry if it is still the one the caller read; its ref stays in the order, dead,
  until a move drops it. With days in the trash (trashMs > 0) the entry goes to the trash,
  still counted in the usage, and the trash's expired memos go for good (at most 16). The
  memo's earlier versions go in any case (a restored memo comes back without them), and so does
  its share link.

  Input:
    KEYS[1] guard       see includes/guard.lua
    KEYS[2] list
    KEYS[3] older
    KEYS[4] memos
    KEYS[5] meta
    KEYS[6] pins
    KEYS[7] trash
    KEYS[8] trashAt
    KEYS[9] history
    KEYS[10] shares     the share links
    KEYS[11] tags       the tag list
    KEYS[12..] tagSets  the memo set of each tag the memo carried
    ARGV[1] guardMode
    ARGV[2] guardValue
    ARGV[3] id
    ARGV[4] read        the entry as read ('' to delete whatever is there)
    ARGV[5] marks       '-' for each tag set
    ARGV[6] trashMs     how long the trash keeps it (0: no trash, gone at once)
    ARGV[7] now         ms

  Output: {'ok', due, the token of the memo's share link ('' if none)}, {'missing'}, {'changed'}, {'migrate'} or {'nosession'}.
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
redis.call('HINCRBY', meta, 'dead', 1)
toTrash(meta, K.trash, K.trashAt, A.id, e, size or 0, tonumber(A.trashMs), tonumber(A.now))
-- A pin of a deleted memo would only be skipped; it goes, so it does not count.
redis.call('ZREM', K.pins, A.id)
dropHistory(meta, K.history, A.id)
changed(meta)
retag(A.id, seq, A.marks, 0, K.tags, K.tagSets)
return {'ok', due(meta), dropShare(K.shares, A.id)}
