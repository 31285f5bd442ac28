--[[
  A user's share links with their memos, expired ones dropped first: O(links), at most the
  per-user limit. A link whose memo is not in the list (none should be: a delete or an archive
  drops it) goes too.

  Input:
    KEYS[1] memos
    KEYS[2] shares
    ARGV[1] now         ms

  Output: {{id, token, created, expires, entry}…} and then {dropped tokens…}: two lists.
]]
local now = tonumber(A.now)
local links, dropped = {}, {}
local all = redis.call('HGETALL', K.shares)
for i = 1, #all, 2 do
  local id = all[i]
  local token, created, expires = string.match(all[i + 1], '^(%S+) (%d+) (%d+)$')
  local e = token and redis.call('HGET', K.memos, id)
  if e and (tonumber(expires) == 0 or tonumber(expires) > now) then
    links[#links + 1] = {id, token, created, expires, e}
  else
    redis.call('HDEL', K.shares, id)
    if token then dropped[#dropped + 1] = token end
  end
end
return {links, dropped}
