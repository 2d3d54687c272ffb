-- The Redis presence store. ARGV: prefix, now (ms), windowMs, operation, then its arguments.
--
--   P..'stay:'..room        hash  nick -> "since active lastSeen": when the user came, the polls they hold
--                                 there (every node's), when their last poll there started or ended
--   P..'present-in:'..nick  set   the rooms a user is present in
--   P..'presence-due'       zset  room NUL nick -> when to look at the presence again
--
-- A node that dies while holding polls leaves its counts behind: the living
-- nodes refresh the presences of the polls they hold every second, so a
-- count that nobody has refreshed for a window plus the longest poll is a
-- dead node's, and its presence ends all the same.
local P, NOW, WINDOW, OP = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local DUE = P .. 'presence-due'
local LONGEST_POLL_MS = 60000

local function arg(i) return ARGV[4 + i] end

local function read(room, nick)
  local value = redis.call('HGET', P .. 'stay:' .. room, nick)
  if not value then return nil end
  local since, active, lastSeen = string.match(value, '^(%d+) (-?%d+) (%d+)$')
  return tonumber(since), tonumber(active), tonumber(lastSeen)
end

local function write(room, nick, since, active, lastSeen)
  redis.call('HSET', P .. 'stay:' .. room, nick, since .. ' ' .. active .. ' ' .. lastSeen)
  redis.call('ZADD', DUE, lastSeen + WINDOW, room .. '\0' .. nick)
end

local function remove(room, nick)
  redis.call('HDEL', P .. 'stay:' .. room, nick)
  redis.call('SREM', P .. 'present-in:' .. nick, room)
  redis.call('ZREM', DUE, room .. '\0' .. nick)
end

local ops = {}

-- arrive(room, nick, maxRoomsPerUser) -> 'joined' | 'present' | 'refused'
function ops.arrive()
  local room, nick = arg(1), arg(2)
  local since, active = read(room, nick)
  if since then
    write(room, nick, since, active + 1, NOW)
    return 'present'
  end
  if redis.call('SCARD', P .. 'present-in:' .. nick) >= tonumber(arg(3)) then return 'refused' end
  write(room, nick, NOW, 1, NOW)
  redis.call('SADD', P .. 'present-in:' .. nick, room)
  return 'joined'
end

-- poll-ended(room, nick)
ops['poll-ended'] = function()
  local since, active = read(arg(1), arg(2))
  if since then write(arg(1), arg(2), since, math.max(active - 1, 0), NOW) end
  return 'ok'
end

-- refresh(room, nick, room, nick, ...): the node holds polls of these users
function ops.refresh()
  for i = 5, #ARGV - 1, 2 do
    local since, active = read(ARGV[i], ARGV[i + 1])
    if since then write(ARGV[i], ARGV[i + 1], since, active, NOW) end
  end
  return 'ok'
end

-- expire(count) -> {empty '1'|'0', room, nick, room, nick, ...}
function ops.expire()
  local answer = {'0'}
  for _, key in ipairs(redis.call('ZRANGEBYSCORE', DUE, '-inf', NOW, 'LIMIT', 0, tonumber(arg(1)))) do
    local room, nick = string.match(key, '^(.-)%z(.*)$')
    local since, active, lastSeen = read(room, nick)
    if not since then
      redis.call('ZREM', DUE, key)
    elseif active <= 0 or lastSeen + WINDOW + LONGEST_POLL_MS <= NOW then
      remove(room, nick)
      answer[#answer + 1] = room
      answer[#answer + 1] = nick
    else
      -- Polls held: look again when the longest of them must have ended.
      redis.call('ZADD', DUE, lastSeen + WINDOW + LONGEST_POLL_MS, key)
    end
  end
  answer[1] = redis.call('ZCARD', DUE) == 0 and '1' or '0'
  return answer
end

-- leave(nick, room or '') -> the rooms left
function ops.leave()
  local nick, rooms = arg(1), {}
  if arg(2) ~= '' then
    if read(arg(2), nick) then rooms = {arg(2)} end
  else
    rooms = redis.call('SMEMBERS', P .. 'present-in:' .. nick)
  end
  for _, room in ipairs(rooms) do remove(room, nick) end
  return rooms
end

-- users(room) -> {nick, since, ...}
function ops.users()
  local answer = {}
  local stays = redis.call('HGETALL', P .. 'stay:' .. arg(1))
  for i = 1, #stays, 2 do
    answer[#answer + 1] = stays[i]
    answer[#answer + 1] = string.match(stays[i + 1], '^(%d+)')
  end
  return answer
end

-- counts(rooms...) -> a count each
function ops.counts()
  local answer = {}
  for i = 5, #ARGV do answer[#answer + 1] = redis.call('HLEN', P .. 'stay:' .. ARGV[i]) end
  return answer
end

-- online(nicks...) -> '1' | '0' each
function ops.online()
  local answer = {}
  for i = 5, #ARGV do answer[#answer + 1] = redis.call('EXISTS', P .. 'present-in:' .. ARGV[i]) == 1 and '1' or '0' end
  return answer
end

local op = ops[OP]
if not op then return redis.error_reply('unknown presence operation ' .. OP) end
return op()
