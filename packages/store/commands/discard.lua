--[[
  Deletes an archived memo if it is still the one the caller read: to the trash for its days
  (trashMs > 0, still counted in the usage), else for good; its earlier versions go in any case.
  Its ref was dead since it was archived, and it is in no tag set.

  Input:
    KEYS[1] guard       see includes/guard.lua
    KEYS[2] meta
    KEYS[3] archive
    KEYS[4] archiveAt
    KEYS[5] archiveTags
    KEYS[6] trash
    KEYS[7] trashAt
    KEYS[8] history
    ARGV[1] guardMode
    ARGV[2] guardValue
    ARGV[3] id
    ARGV[4] read        the entry as read from the archive
    ARGV[5] trashMs     how long the trash keeps it (0: no trash, gone at once)
    ARGV[6] now         ms
    ARGV[7..] members   '<tag>:<seq>:<id>' for each tag it carries, as archive.lua added them

  Output: {'ok'}, {'missing'}, {'changed'} or {'nosession'}.
]]
--- @include "helpers"
--- @include "guard"
local e = redis.call('HGET', K.archive, A.id)
if not e then return {'missing'} end
if e ~= A.read then return {'changed'} end
local _, size = entryHead(e)
redis.call('HDEL', K.archive, A.id)
redis.call('ZREM', K.archiveAt, A.id)
if #A.members > 0 then redis.call('ZREM', K.archiveTags, unpack(A.members)) end
toTrash(K.meta, K.trash, K.trashAt, A.id, e, size or 0, tonumber(A.trashMs), tonumber(A.now))
dropHistory(K.meta, K.history, A.id)
return {'ok'}
