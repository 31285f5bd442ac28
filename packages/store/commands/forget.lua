--[[
  Forgets the earlier versions of one memo (its history), and their bytes with them.

  Input:
    KEYS[1] meta
    KEYS[2] history
    ARGV[1] id

  Output: how many versions went.
]]
--- @include "helpers"
return dropHistory(K.meta, K.history, A.id)
