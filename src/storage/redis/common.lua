-- What every script of the Redis message store shares. Keys hang off one
-- prefix (ARGV[1]) and are named by the script, not passed as KEYS: the
-- store needs one Redis (a primary, with replicas if you like), not Redis
-- Cluster.
--
--   P..'epoch'        string  the history's epoch; gone only if Redis lost its data
--   P..'stats'        hash    posted (rooms holding posted messages), bytes (retained, all rooms), appends (ever)
--   P..'active'       zset    every room holding entries, scored by the number of its last append
--   P..'lines-only'   zset    rooms holding only join and leave lines, likewise
--   P..'m:'..room     hash    last (newest id), messages (posted since the epoch), active, bytes
--   P..'r:'..room     stream  the retained entries, entry id 0-N for message id N, field j: the JSON, n: author NUL nonce
--   P..'n:'..room     hash    author NUL nonce -> id, for the retained entries with a nonce
local P = ARGV[1]
local STATS, ACTIVE, LINES_ONLY = P .. 'stats', P .. 'active', P .. 'lines-only'

-- epochOf reads the epoch, making it from `candidate` when it is missing: on
-- a fresh Redis, or one that lost its data (its clients must reset).
local function epochOf(candidate)
  local epoch = redis.call('GET', P .. 'epoch')
  if epoch then return epoch end
  redis.call('SET', P .. 'epoch', candidate)
  return candidate
end

local function idOf(streamId)
  return tonumber(string.sub(streamId, 3))
end

-- fieldsOf reads a stream entry's fields: its JSON and its nonce key (or nil).
local function fieldsOf(entry)
  local json, nonceKey
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'j' then json = fields[i + 1] elseif fields[i] == 'n' then nonceKey = fields[i + 1] end
  end
  return json, nonceKey
end

-- firstIdOf is the oldest retained id of a room, last + 1 when none is.
local function firstIdOf(room, last)
  local first = redis.call('XRANGE', P .. 'r:' .. room, '-', '+', 'COUNT', 1)[1]
  if first then return idOf(first[1]) end
  return last + 1
end

-- dropOldest removes a room's oldest entry with its bytes and its nonce.
local function dropOldest(room)
  local stream = P .. 'r:' .. room
  local oldest = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)[1]
  if not oldest then return end
  local json, nonceKey = fieldsOf(oldest)
  redis.call('XDEL', stream, oldest[1])
  redis.call('HINCRBY', P .. 'm:' .. room, 'bytes', -#json)
  redis.call('HINCRBY', STATS, 'bytes', -#json)
  if nonceKey then redis.call('HDEL', P .. 'n:' .. room, nonceKey) end
end

-- deleteRoom removes a room, its history and its counts.
local function deleteRoom(room)
  local meta = P .. 'm:' .. room
  local counts = redis.call('HMGET', meta, 'bytes', 'messages')
  local bytes = tonumber(counts[1]) or 0
  -- Not for a room that holds nothing: Lua writes -0 as "-0", which HINCRBY refuses.
  if bytes ~= 0 then redis.call('HINCRBY', STATS, 'bytes', -bytes) end
  if (tonumber(counts[2]) or 0) > 0 then redis.call('HINCRBY', STATS, 'posted', -1) end
  redis.call('DEL', meta, P .. 'r:' .. room, P .. 'n:' .. room)
  redis.call('ZREM', ACTIVE, room)
  redis.call('ZREM', LINES_ONLY, room)
end

-- publish tells every node's subscriber of an event: kind, room, epoch, then the entry's JSON if any.
local function publish(kind, room, epoch, json)
  redis.call('PUBLISH', P .. 'events', kind .. '\n' .. room .. '\n' .. epoch .. '\n' .. (json or ''))
end
