--[[
  Unpins a memo.

  Input:
    KEYS[1] pins
    KEYS[2] meta
    ARGV[1] id

  Output: 1 when it was pinned, else 0.
]]
--- @include "helpers"
if redis.call('ZREM', K.pins, A.id) == 0 then return 0 end
changed(K.meta)
return 1
