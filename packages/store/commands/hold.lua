--[[
  Takes the hold of a user's heavy request (admission.ts), only while the session lives.

  Input:
    KEYS[1] guard       see includes/guard.lua
    KEYS[2] hold
    ARGV[1] guardMode
    ARGV[2] guardValue
    ARGV[3] token       who holds it
    ARGV[4] ms          how long at most

  Output: 'ok', 'busy' (someone holds it) or {'nosession'}.
]]
--- @include "guard"
if redis.call('SET', K.hold, A.token, 'NX', 'PX', A.ms) then return 'ok' end
return 'busy'
