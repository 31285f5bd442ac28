--[[
  Marks the user's tag index built, unless the user has nothing (deleted meanwhile: that would
  make a key of theirs again).

  Input:
    KEYS[1] meta

  Output: 1 when marked, 0 when not.
]]
if redis.call('EXISTS', K.meta) == 1 then
  redis.call('HSET', K.meta, 'tags', '1')
  return 1
end
return 0
