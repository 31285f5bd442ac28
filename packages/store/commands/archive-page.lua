--[[
  A page of the archive: the last archived first, or the memos of one tag (and the tags under
  it) in the list's order, newest first. O(log n + page).

  Input:
    KEYS[1] archive
    KEYS[2] archiveAt
    KEYS[3] archiveTags
    ARGV[1] offset      memos before this page
    ARGV[2] limit
    ARGV[3] tag         '' for every archived memo

  Output: {total, ids, archive times (ms), entries}.
]]
local from, limit = tonumber(A.offset), tonumber(A.limit)
local ids, times, total = {}, {}, 0
if A.tag == '' then
  local found = redis.call('ZREVRANGE', K.archiveAt, from, from + limit - 1, 'WITHSCORES')
  for i = 1, #found, 2 do
    ids[#ids + 1] = found[i]
    times[#times + 1] = found[i + 1]
  end
  total = redis.call('ZCARD', K.archiveAt)
else
  -- '<tag>:' up to '<tag>;' (';' follows ':'): exactly this tag's members.
  local low, high = '[' .. A.tag .. ':', '(' .. A.tag .. ';'
  local members = redis.call('ZREVRANGEBYLEX', K.archiveTags, high, low, 'LIMIT', from, limit)
  for i, member in ipairs(members) do
    ids[i] = string.match(member, ':([^:]+)$')
    times[i] = redis.call('ZSCORE', K.archiveAt, ids[i]) or '0'
  end
  total = redis.call('ZLEXCOUNT', K.archiveTags, low, high)
end
local entries = {}
if #ids > 0 then entries = redis.call('HMGET', K.archive, unpack(ids)) end
return {total, ids, times, entries}
