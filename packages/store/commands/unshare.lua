--[[
  Revokes a memo's share link at once.

  Input:
    KEYS[1] shares
    ARGV[1] id

  Output: the link's token, '' when the memo had none.
]]
--- @include "helpers"
return dropShare(K.shares, A.id)
