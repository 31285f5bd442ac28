--[[
  A memo and the earlier versions its history keeps, oldest first. O(versions).

  Input:
    KEYS[1] memos
    KEYS[2] history
    ARGV[1] id

  Output: {'ok', entry, the last version's number, versions (oldest first; a version the
    index names but not found is nil)} or {'missing'}.
]]
--- @include "helpers"
local e = redis.call('HGET', K.memos, A.id)
if not e then return {'missing'} end
local last, sizes = versionsOf(K.history, A.id)
local fields = {}
for i = 1, #sizes do fields[i] = A.id .. ':' .. (last - #sizes + i) end
local versions = {}
if #fields > 0 then versions = redis.call('HMGET', K.history, unpack(fields)) end
return {'ok', e, last, versions}
