--[[
  Opens a share link: the memo's entry while the user's links still hold this token for it,
  unexpired, and the memo is in the list. Reads only.

  Input:
    KEYS[1] memos
    KEYS[2] shares
    ARGV[1] id
    ARGV[2] token
    ARGV[3] now         ms

  Output: {'ok', entry, expires ms or 0} or {'gone'}.
]]
local s = redis.call('HGET', K.shares, A.id)
if not s then return {'gone'} end
local token, expires = string.match(s, '^(%S+) %d+ (%d+)$')
if token ~= A.token then return {'gone'} end
if tonumber(expires) > 0 and tonumber(expires) <= tonumber(A.now) then return {'gone'} end
local e = redis.call('HGET', K.memos, A.id)
if not e then return {'gone'} end
return {'ok', e, expires}
