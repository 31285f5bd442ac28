--[[
  Pins a memo.

  Input:
    KEYS[1] guard      see includes/guard.lua
    KEYS[2] memos
    KEYS[3] pins
    KEYS[4] meta
    ARGV[1] guardMode
    ARGV[2] guardValue
    ARGV[3] id
    ARGV[4] now        ms
    ARGV[5] maxPins

  Output: 'ok' (also when it was pinned already), 'missing', 'full' at max pins, or {'nosession'}.
]]
--- @include "helpers"
--- @include "guard"
if redis.call('HEXISTS', K.memos, A.id) == 0 then return 'missing' end
if redis.call('ZSCORE', K.pins, A.id) then return 'ok' end
if redis.call('ZCARD', K.pins) >= tonumber(A.maxPins) then return 'full' end
redis.call('ZADD', K.pins, tonumber(A.now), A.id)
changed(K.meta)
return 'ok'
