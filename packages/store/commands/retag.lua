--[[
  Indexes one memo's tags as its text is now (building the index of a user whose memos predate
  it). Adding is idempotent, so the build can run twice.

  Input:
    KEYS[1] memos
    KEYS[2] tags        the tag list
    KEYS[3..] tagSets   the memo set of each tag
    ARGV[1] id
    ARGV[2] read        the entry as read ('' when there is none); if it changed, nothing is done
    ARGV[3] marks       '+' or '-' for each tag set
    ARGV[4] maxTags

  Output: 'ok' or 'changed'.
]]
--- @include "helpers"
local e = redis.call('HGET', K.memos, A.id)
if (e or '') ~= A.read then return 'changed' end
retag(A.id, e and entryHead(e) or 0, A.marks, tonumber(A.maxTags), K.tags, K.tagSets)
return 'ok'
