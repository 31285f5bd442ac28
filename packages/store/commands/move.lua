#!lua flags=allow-oom
--[[
  One step of a move: a bounded batch (@MOVE_WORK@ units, @MOVE_BYTES@ bytes) of refs from the
  old end of the list to the head of :older, dropping dead ones; an entry of an earlier layout
  becomes an entry of this one on the way (the migration). When the list is empty, :older takes
  its name and the move is over. A move starts when the user's memos are in an earlier layout,
  when dead refs have piled up (see due), or when a reader met an entry of an earlier layout in
  a list of this one (A.adopt '1': the original app pushed it while both apps share this Redis).

  It may run when Redis is at its memory ceiling (allow-oom): it takes about the memory it
  frees, and without it a user whose memos are still in an earlier layout could not even read
  them then. An older entry found in a list that is already of layout 2 was pushed there by the
  original app or a replica of the previous version: it is the newest memo, so its ref goes to
  the head of the list rather than into the middle of the order.

  Input:
    KEYS[1] list
    KEYS[2] older
    KEYS[3] memos
    KEYS[4] meta
    ARGV[1] adopt       '1': start a move even when none is due

  Output: 'idle' (nothing to do), 'more' or 'done'.
]]
--- @include "helpers"
local list, older, memos, meta = K.list, K.older, K.memos, K.meta
local v2 = redis.call('HGET', meta, 'v') == '2'
if redis.call('HGET', meta, 'moving') ~= '1' then
  if v2 then
    if due(meta) == 0 and A.adopt ~= '1' then return 'idle' end
  elseif redis.call('EXISTS', list) == 0 and redis.call('EXISTS', older) == 0 then
    return 'idle'
  end
  redis.call('HSET', meta, 'moving', '1')
end
-- Every step moves refs, and with them where a page's cursor points.
changed(meta)

local function validId(id)
  if type(id) ~= 'string' then return false end
  if string.match(id, '^m[0-9a-z]+$') then return #id >= 11 and #id <= 41 end
  return string.match(id, '^o[0-9a-f]+$') ~= nil and #id == 21
end
-- An entry of layout 0 (a plain string) or 1 (JSON) as id, text and the two times as JSON.
local function convert(x)
  if string.sub(x, 1, 13) == '{"v":1,"id":"' then
    local ok, value = pcall(cjson.decode, x)
    if ok and type(value) == 'table' and value.v == 1 and type(value.text) == 'string' then
      local created = type(value.createdAt) == 'string' and cjson.encode(value.createdAt) or 'null'
      local updated = type(value.updatedAt) == 'string' and cjson.encode(value.updatedAt) or 'null'
      return validId(value.id) and value.id or nil, value.text, created, updated
    end
  end
  return 'o' .. string.sub(redis.sha1hex(x), 1, 20), x, 'null', 'null'
end
-- The counters change once per step, not once per entry.
local seq = num(redis.call('HGET', meta, 'seq'))
local added, addedBytes, dropped = 0, 0, 0
local function adopt(x, into)
  seq = seq + 1
  local id, text, created, updated = convert(x)
  if id and redis.call('HEXISTS', memos, id) == 1 then
    -- The same text twice in the original, or an id taken: a fresh id for this one.
    id = string.sub(id, 1, 1) == 'o' and ('o' .. string.sub(redis.sha1hex(x .. '\0' .. seq), 1, 20)) or nil
    if id and redis.call('HEXISTS', memos, id) == 1 then id = nil end
  end
  if not id then
    local s = base36(seq)
    id = 'm' .. string.rep('0', 11 - #s) .. s
  end
  local size = storedSize(text)
  redis.call('HSET', memos, id, '{"seq":' .. seq .. ',"size":' .. size .. ',"id":"' .. id .. '","text":' ..
    cjson.encode(text) .. ',"createdAt":' .. created .. ',"updatedAt":' .. updated .. '}')
  redis.call('LPUSH', into, base36(seq) .. ':' .. id)
  added, addedBytes = added + 1, addedBytes + size
end

local work, bytes = 0, 0
while work < @MOVE_WORK@ and bytes < @MOVE_BYTES@ do
  local x = redis.call('RPOP', list)
  if not x then break end
  local refSeq, id = parseRef(x)
  if refSeq then
    -- Kept while its memo exists (without copying the entry). A ref whose id was deleted and
    -- made anew (an import) is kept too: pages skip it by its seq, as they skip any dead ref.
    work, bytes = work + 1, bytes + #x
    if redis.call('HEXISTS', memos, id) == 1 then
      redis.call('LPUSH', older, x)
    else
      dropped = dropped + 1
    end
  else
    work, bytes = work + 4, bytes + #x
    adopt(x, v2 and list or older)
  end
end
if added > 0 then
  redis.call('HSET', meta, 'seq', seq)
  redis.call('HINCRBY', meta, 'count', added)
  redis.call('HINCRBY', meta, 'bytes', addedBytes)
end
if dropped > 0 then redis.call('HINCRBY', meta, 'dead', -dropped) end
if redis.call('EXISTS', list) == 1 then return 'more' end
if redis.call('EXISTS', older) == 1 then redis.call('RENAME', older, list) end
redis.call('HSET', meta, 'v', '2')
redis.call('HDEL', meta, 'moving')
if num(redis.call('HGET', meta, 'dead')) < 0 then redis.call('HSET', meta, 'dead', '0') end
return 'done'
