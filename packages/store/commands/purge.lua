--[[
  Deletes for good one memo of the trash, or the whole trash (id ''), and its usage with it.
  The whole trash goes with UNLINK: freed off Redis's main thread, whatever it holds.

  Input:
    KEYS[1] meta
    KEYS[2] trash
    KEYS[3] trashAt
    ARGV[1] id          '' for every memo in the trash

  Output: how many memos went.
]]
--- @include "helpers"
local meta = K.meta
if trashLapsed(meta, K.trash, K.trashAt) then return 0 end
if A.id == '' then
  local share = redis.call('HMGET', meta, 'tcount', 'tbytes')
  redis.call('UNLINK', K.trash, K.trashAt)
  trashShareGone(meta, share)
  return num(share[1])
end
local e = redis.call('HGET', K.trash, A.id)
if not e then return 0 end
local _, size = entryHead(e)
redis.call('HDEL', K.trash, A.id)
redis.call('ZREM', K.trashAt, A.id)
leftTrash(meta, 1, size or 0)
return 1
