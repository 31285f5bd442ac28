--[[
  Makes the share link of a memo in the list, replacing the memo's earlier link (one a memo).
  Links past their expiry go first (at most `max` fields are read: O(links)); a user keeps at
  most `max` links at once.

  Input:
    KEYS[1] guard       see includes/guard.lua
    KEYS[2] memos
    KEYS[3] shares
    ARGV[1] guardMode
    ARGV[2] guardValue
    ARGV[3] id
    ARGV[4] token       the new link's token
    ARGV[5] now         ms
    ARGV[6] expires     ms (0: never)
    ARGV[7] max         links a user may have

  Output: {'ok', the replaced link's token or '', expired tokens…}, {'missing'}, {'full'} or
  {'nosession'}.
]]
--- @include "guard"
if redis.call('HEXISTS', K.memos, A.id) == 0 then return {'missing'} end
local now = tonumber(A.now)
local out = {'ok', ''}
local all = redis.call('HGETALL', K.shares)
local left = #all / 2
for i = 1, #all, 2 do
  local token, expires = string.match(all[i + 1], '^(%S+) %d+ (%d+)$')
  if all[i] == A.id then
    out[2] = token or ''
  elseif token and tonumber(expires) > 0 and tonumber(expires) <= now then
    redis.call('HDEL', K.shares, all[i])
    out[#out + 1] = token
    left = left - 1
  end
end
if out[2] == '' and left >= tonumber(A.max) then return {'full'} end
redis.call('HSET', K.shares, A.id, A.token .. ' ' .. A.now .. ' ' .. A.expires)
return out
