--[[
  One entry by id.

  Input:
    KEYS[1] list
    KEYS[2] older
    KEYS[3] memos
    KEYS[4] meta
    ARGV[1] id

  Output: the entry, false, or {'migrate'} (the user's memos are in an earlier layout).
]]
--- @include "helpers"
local e = redis.call('HGET', K.memos, A.id)
if e then return e end
if legacy(K.list, K.older, K.meta) then return {'migrate'} end
return false
