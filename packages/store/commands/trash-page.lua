--[[
  A page of the trash, the last deleted first, after its expired memos went (at most 16).
  O(log n + page).

  Input:
    KEYS[1] meta
    KEYS[2] trash
    KEYS[3] trashAt
    ARGV[1] offset      memos of the trash before this page
    ARGV[2] limit
    ARGV[3] before      ms: memos deleted at or before it have had their days

  Output: {total, ids, deletion times (ms), entries}.
]]
--- @include "helpers"
local meta = K.meta
trashLapsed(meta, K.trash, K.trashAt)
sweepTrash(meta, K.trash, K.trashAt, tonumber(A.before))
local from = tonumber(A.offset)
local found = redis.call('ZREVRANGE', K.trashAt, from, from + tonumber(A.limit) - 1, 'WITHSCORES')
local ids, times = {}, {}
for i = 1, #found, 2 do
  ids[#ids + 1] = found[i]
  times[#times + 1] = found[i + 1]
end
local entries = {}
if #ids > 0 then entries = redis.call('HMGET', K.trash, unpack(ids)) end
return {redis.call('ZCARD', K.trashAt), ids, times, entries}
