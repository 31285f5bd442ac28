--[[
  One page of the memos carrying a tag, newest first. O(log n + limit).

  Input:
    KEYS[1] memos
    KEYS[2] meta
    KEYS[3] set         the tag's memo set
    KEYS[4] pins
    KEYS[5..] session   the session that must still name the user (none: no check)
    ARGV[1] limit
    ARGV[2] below       the seq the last page ended below ('' for the first)
    ARGV[3] user        the session's user

  Output: {'ok', entries, their pin times ('' when not pinned), seq to go on below (0: last
    page), count, bytes}, or {'nosession'}.
]]
--- @include "helpers"
if K.session[1] and redis.call('GET', K.session[1]) ~= A.user then return {'nosession'} end
local limit = tonumber(A.limit)
local max = A.below == '' and '+inf' or '(' .. A.below
local found = redis.call('ZREVRANGEBYSCORE', K.set, max, '-inf', 'WITHSCORES', 'LIMIT', 0, limit + 1)
local out, at, next = {}, {}, 0
for k = 1, math.min(#found, limit * 2), 2 do
  local e = redis.call('HGET', K.memos, found[k])
  if e then
    out[#out + 1] = e
    at[#at + 1] = redis.call('ZSCORE', K.pins, found[k]) or ''
  end
  next = tonumber(found[k + 1])
end
if #found <= limit * 2 then next = 0 end
local usage = redis.call('HMGET', K.meta, 'count', 'bytes')
return {'ok', out, at, next, num(usage[1]), num(usage[2])}
