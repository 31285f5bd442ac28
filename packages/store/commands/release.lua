--[[
  Gives back a user's heavy-request hold, if it is still ours.

  Input:
    KEYS[1] hold
    ARGV[1] token

  Output: 1.
]]
if redis.call('GET', K.hold) == A.token then redis.call('DEL', K.hold) end
return 1
