-- Shared by the store's scripts (included where a script says `--- @include "helpers"`).
-- Numbers written as a name between two at signs are filled in when the scripts load (runner.ts).

local DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz'
local function base36(n)
  if n == 0 then return '0' end
  local s = ''
  while n > 0 do
    local d = n % 36
    s = string.sub(DIGITS, d + 1, d + 1) .. s
    n = math.floor(n / 36)
  end
  return s
end

-- A ref of layout 2: '<seq base 36>:<memo id>'; nil for anything else (an older entry).
local function parseRef(x)
  local s, id = string.match(x, '^([0-9a-z]+):([mo][0-9a-z]+)$')
  if not s then return nil end
  return tonumber(s, 36), id
end

-- The seq and size every entry starts with.
local function entryHead(e)
  local seq, size = string.match(e, '^{"seq":(%d+),"size":(%d+),')
  return tonumber(seq), tonumber(size)
end

local function num(x) return tonumber(x or '0') or 0 end

-- A new write count starts at the time in µs (a string: 16 digits, past what Lua prints exactly
-- as a number), not at 1: a page kept for a user whose counters were deleted by hand (deleting
-- the account deletes the page too) can never match a count of the new ones.
local function firstW()
  local t = redis.call('TIME')
  return t[1] .. string.format('%06d', tonumber(t[2]))
end

-- Every script that changes what a page shows says so here: the user's write count goes up, and
-- the first page kept at the old count (page.lua, keep.lua) is not answered any more.
local function changed(meta)
  if redis.call('HINCRBY', meta, 'w', 1) == 1 then redis.call('HSET', meta, 'w', firstW()) end
end

-- The bytes a text takes inside its JSON entry, as layout.ts textSize counts them: quotes and
-- backslashes escaped with one more byte, b f n r t too, other control characters as six bytes.
local function storedSize(text)
  local _, quoted = string.gsub(text, '["\\]', '')
  local _, short = string.gsub(text, '[\b\f\n\r\t]', '')
  local _, control = string.gsub(text, '[%z\1-\31]', '')
  return #text + quoted + short + 5 * (control - short)
end

-- Whether this user's memos are still in an earlier layout (migrated before any use).
local function legacy(list, older, meta)
  if redis.call('HGET', meta, 'v') == '2' then return false end
  return redis.call('EXISTS', list) == 1 or redis.call('EXISTS', older) == 1
end

-- The tag index after a memo's tags changed (docs/data.md): `tags` is the tag list (tag -> how
-- many memos carry it), `sets` the memo set of each tag that changed, removals first, `marks`
-- '+' or '-' for each. A new tag beyond maxTags stays text only. O(changed tags x log n).
-- How many tags the list holds is read once, when a new tag first needs it, and kept up from
-- what ZADD and ZREM say (a memo of ten new tags: one ZCARD, not ten).
local function retag(id, seq, marks, maxTags, tags, sets)
  local listed
  for i, key in ipairs(sets) do
    local tag = string.sub(key, #tags + 2)
    if string.sub(marks, i, i) == '+' then
      local known = redis.call('ZSCORE', tags, tag)
      if not known and listed == nil then listed = redis.call('ZCARD', tags) end
      if known or listed < maxTags then redis.call('ZADD', key, seq, id) end
    else
      redis.call('ZREM', key, id)
    end
    local n = redis.call('ZCARD', key)
    if n == 0 then
      if redis.call('ZREM', tags, tag) == 1 and listed then listed = listed - 1 end
    elseif redis.call('ZADD', tags, n, tag) == 1 and listed then
      listed = listed + 1
    end
  end
end

-- Whether writes should move a batch (a move is under way, or dead refs have piled up): from
-- the counters read already (dueBy), or read here (due).
local function dueBy(moving, dead, count)
  if moving == '1' then return 1 end
  if dead >= @DEAD_MIN@ and dead * @DEAD_RATIO@ >= count then return 1 end
  return 0
end

local function due(meta)
  local m = redis.call('HMGET', meta, 'moving', 'dead', 'count')
  return dueBy(m[1], num(m[2]), num(m[3]))
end

-- Memos that left the trash for good (n of them, `bytes` of text) leave the usage with it.
local function leftTrash(meta, n, bytes)
  redis.call('HINCRBY', meta, 'count', -n)
  redis.call('HINCRBY', meta, 'bytes', -bytes)
  redis.call('HINCRBY', meta, 'tcount', -n)
  redis.call('HINCRBY', meta, 'tbytes', -bytes)
end

-- The whole trash's share of the usage (`share`: its tcount and tbytes as read) counted off.
local function trashShareGone(meta, share)
  -- Writes that free memory first: at Redis's memory ceiling a script may go on once it wrote.
  redis.call('HDEL', meta, 'tcount', 'tbytes')
  if num(share[1]) == 0 then return end
  redis.call('HINCRBY', meta, 'count', -num(share[1]))
  redis.call('HINCRBY', meta, 'bytes', -num(share[2]))
end

-- A trash that expired as a whole (nothing was deleted for its days) takes its share of the
-- usage with it: counted off here, the first time a script of the user's trash or quota looks.
-- True when it did.
local function trashLapsed(meta, trash, trashAt)
  local share = redis.call('HMGET', meta, 'tcount', 'tbytes')
  if num(share[1]) == 0 or redis.call('EXISTS', trash) == 1 then return false end
  redis.call('DEL', trashAt)
  trashShareGone(meta, share)
  return true
end

-- Memos whose days in the trash are over (deleted at or before `before`, ms), oldest first,
-- at most 16 a call: gone for good, and from the usage.
local function sweepTrash(meta, trash, trashAt, before)
  local ids = redis.call('ZRANGEBYSCORE', trashAt, '-inf', before, 'LIMIT', 0, 16)
  if #ids == 0 then return end
  local entries = redis.call('HMGET', trash, unpack(ids))
  local n, bytes = 0, 0
  for i = 1, #ids do
    if entries[i] then
      local _, size = entryHead(entries[i])
      n, bytes = n + 1, bytes + (size or 0)
    end
  end
  redis.call('HDEL', trash, unpack(ids))
  redis.call('ZREM', trashAt, unpack(ids))
  if n > 0 then leftTrash(meta, n, bytes) end
end

-- The versions of a memo its history keeps (the hash `history`, field `id`: the last one's
-- number, then each one's size, oldest first): that number (0 for none) and the sizes.
local function versionsOf(history, id)
  local index = redis.call('HGET', history, id)
  local last, sizes = 0, {}
  if not index then return last, sizes end
  for n in string.gmatch(index, '%d+') do
    if last == 0 then last = tonumber(n) else sizes[#sizes + 1] = tonumber(n) end
  end
  return last, sizes
end

-- Drops every kept version of a memo, and their bytes from the usage: how many went.
local function dropHistory(meta, history, id)
  local last, sizes = versionsOf(history, id)
  if last == 0 then return 0 end
  local fields, bytes = {id}, 0
  for i, size in ipairs(sizes) do
    fields[#fields + 1] = id .. ':' .. (last - #sizes + i)
    bytes = bytes + size
  end
  redis.call('HDEL', history, unpack(fields))
  if bytes ~= 0 then
    redis.call('HINCRBY', meta, 'bytes', -bytes)
    redis.call('HINCRBY', meta, 'hbytes', -bytes)
  end
  return #sizes
end

-- A memo leaving the list or the archive for good (its entry `e`, `size` bytes of text): into the
-- trash for `keep` ms when there is one (still counted in the usage; the trash's expired memos
-- go, at most 16), else out of the usage at once.
local function toTrash(meta, trash, trashAt, id, e, size, keep, now)
  if keep > 0 then
    trashLapsed(meta, trash, trashAt)
    redis.call('HSET', trash, id, e)
    -- Deletion times are kept distinct (a millisecond on past the last), so the trash lists the
    -- last deleted first even for deletes within one millisecond.
    local last = redis.call('ZREVRANGE', trashAt, 0, 0, 'WITHSCORES')[2]
    redis.call('ZADD', trashAt, math.max(now, (tonumber(last) or 0) + 1), id)
    redis.call('PEXPIRE', trash, keep)
    redis.call('PEXPIRE', trashAt, keep)
    redis.call('HINCRBY', meta, 'tcount', 1)
    redis.call('HINCRBY', meta, 'tbytes', size)
    sweepTrash(meta, trash, trashAt, now - keep)
  else
    redis.call('HINCRBY', meta, 'count', -1)
    redis.call('HINCRBY', meta, 'bytes', -size)
  end
end

-- A memo's share link ends with it (a delete, an archive): the field goes, and its token comes
-- back for the caller to drop the link's lookup key, which lives in another slot ('' if none).
local function dropShare(shares, id)
  local s = redis.call('HGET', shares, id)
  if not s then return '' end
  redis.call('HDEL', shares, id)
  return string.match(s, '^(%S+)') or ''
end
