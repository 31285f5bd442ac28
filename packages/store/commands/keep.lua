--[[
  Keeps the first page as sent (page.lua answers it as it is while nothing changed), unless a
  write came in since it was read: then the key names a write count that is gone and the page
  is not kept. A user whose memos were erased has no meta: nothing is kept for them either.
  The page expires when not read again: at most one kept page a user, of a bounded size.

  Input:
    KEYS[1] meta
    KEYS[2] firstPage
    ARGV[1] w          the write count the page was read at
    ARGV[2] key        its key (page.lua)
    ARGV[3] json       its memos as JSON text
    ARGV[4] rest       refs left after it
    ARGV[5] last       the seq of its last ref
    ARGV[6] ttl        ms

  Output: 1 when kept, else 0.
]]
local m = redis.call('HMGET', K.meta, 'w', 'v')
if (m[1] or '0') ~= A.w or m[2] ~= '2' then return 0 end
redis.call('HSET', K.firstPage, 'k', A.key, 'j', A.json, 'r', A.rest, 'l', A.last)
redis.call('PEXPIRE', K.firstPage, tonumber(A.ttl))
return 1
