--[[
  Archives (보관) a memo if it is still the one the caller read: its entry moves to the archive,
  still counted in the usage; its ref stays in the order, dead, until a move drops it. It
  leaves the tag index, the pins and its share link; its tags go into the archive's own index (`<tag>:<seq>:<id>`
  members of one sorted set, found by tag in lexical order, which is the list's order).

  Input:
    KEYS[1] guard       see includes/guard.lua
    KEYS[2] list
    KEYS[3] older
    KEYS[4] memos
    KEYS[5] meta
    KEYS[6] pins
    KEYS[7] archive
    KEYS[8] archiveAt
    KEYS[9] archiveTags
    KEYS[10] shares     the share links
    KEYS[11] tags       the tag list
    KEYS[12..] tagSets  the memo set of each tag the memo carries
    ARGV[1] guardMode
    ARGV[2] guardValue
    ARGV[3] id
    ARGV[4] read        the entry as read
    ARGV[5] marks       '-' for each tag set
    ARGV[6] now         ms
    ARGV[7..] members   '<tag>:<seq>:<id>' for each tag the memo carries (parents included)

  Output: {'ok', due, the token of the memo's share link ('' if none)}, {'missing'}, {'changed'}, {'migrate'} or {'nosession'}.
]]
--- @include "helpers"
--- @include "guard"
local meta = K.meta
local e = redis.call('HGET', K.memos, A.id)
if not e then
  if legacy(K.list, K.older, meta) then return {'migrate'} end
  return {'missing'}
end
if e ~= A.read then return {'changed'} end
local seq = entryHead(e)
redis.call('HDEL', K.memos, A.id)
redis.call('HINCRBY', meta, 'dead', 1)
redis.call('HSET', K.archive, A.id, e)
-- Archive times are kept distinct (a millisecond on past the last): the last archived first.
local last = redis.call('ZREVRANGE', K.archiveAt, 0, 0, 'WITHSCORES')[2]
redis.call('ZADD', K.archiveAt, math.max(tonumber(A.now), (tonumber(last) or 0) + 1), A.id)
for _, member in ipairs(A.members) do redis.call('ZADD', K.archiveTags, 0, member) end
redis.call('ZREM', K.pins, A.id)
changed(meta)
retag(A.id, seq, A.marks, 0, K.tags, K.tagSets)
return {'ok', due(meta), dropShare(K.shares, A.id)}
