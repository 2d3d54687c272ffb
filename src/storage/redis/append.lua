-- append stores one entry with its room's next id, atomically: the nonce is
-- checked, the id taken, the entry added, the room trimmed to its capacity
-- and all rooms to the byte budget, the nonce recorded, and every node told.
-- ARGV: prefix, room, type, nonce key ('' for none), the entry's JSON after
-- its id, time (ms), capacity, maxRooms, maxBytes, epoch candidate.
-- Returns {'appended' | 'duplicate' | 'room-limit', epoch, id, json}.
local room, kind, nonceKey, rest = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local now, capacity, maxRooms, maxBytes = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local epoch = epochOf(ARGV[10])
local meta, stream = P .. 'm:' .. room, P .. 'r:' .. room

-- forgetLinesOnly deletes the least recently active room holding only join and leave lines, other than this one.
local function forgetLinesOnly()
  for _, name in ipairs(redis.call('ZRANGE', LINES_ONLY, 0, 1)) do
    if name ~= room then
      deleteRoom(name)
      return true
    end
  end
  return false
end

local exists = redis.call('EXISTS', meta) == 1
if exists and nonceKey ~= '' then
  local id = redis.call('HGET', P .. 'n:' .. room, nonceKey)
  if id then
    local earlier = redis.call('XRANGE', stream, '0-' .. id, '0-' .. id)[1]
    if earlier then return {'duplicate', epoch, id, (fieldsOf(earlier))} end
  end
end
if not exists then
  local posted = tonumber(redis.call('HGET', STATS, 'posted')) or 0
  if kind == 'message' and posted >= maxRooms then return {'room-limit', epoch} end
  if redis.call('ZCARD', ACTIVE) >= maxRooms and not forgetLinesOnly() then return {'room-limit', epoch} end
end

local id = redis.call('HINCRBY', meta, 'last', 1)
local json = '{"id":' .. id .. rest
if nonceKey ~= '' then
  redis.call('XADD', stream, '0-' .. id, 'j', json, 'n', nonceKey)
  redis.call('HSET', P .. 'n:' .. room, nonceKey, id)
else
  redis.call('XADD', stream, '0-' .. id, 'j', json)
end
redis.call('HSET', meta, 'active', now)
-- Rooms are ranked by the order of their appends, not their times: two in one millisecond keep their order.
local rank = redis.call('HINCRBY', STATS, 'appends', 1)
redis.call('HINCRBY', meta, 'bytes', #json)
redis.call('HINCRBY', STATS, 'bytes', #json)
redis.call('ZADD', ACTIVE, rank, room)
if kind == 'message' then
  if redis.call('HINCRBY', meta, 'messages', 1) == 1 then
    redis.call('HINCRBY', STATS, 'posted', 1)
    redis.call('ZREM', LINES_ONLY, room)
  end
elseif (tonumber(redis.call('HGET', meta, 'messages')) or 0) == 0 then
  redis.call('ZADD', LINES_ONLY, rank, room)
end

while redis.call('XLEN', stream) > capacity do dropOldest(room) end
-- Over the budget: rooms of join and leave lines go first, then the oldest
-- entries of the least recently active rooms (this one keeps its newest).
local function bytes() return tonumber(redis.call('HGET', STATS, 'bytes')) or 0 end
while bytes() > maxBytes and forgetLinesOnly() do end
local oldest = 0
while bytes() > maxBytes do
  local name = redis.call('ZRANGE', ACTIVE, oldest, oldest)[1]
  if not name then break end
  local keep = (name == room) and 1 or 0
  if redis.call('XLEN', P .. 'r:' .. name) > keep then dropOldest(name) else oldest = oldest + 1 end
end

publish('a', room, epoch, json)
return {'appended', epoch, tostring(id), json}
