-- The Redis room store: private rooms, their members, and the names that
-- are or were public, each operation one atomic call with its checks.
-- ARGV: prefix, operation, then the operation's own arguments.
--
--   P..'private'          set   the private rooms' names
--   P..'direct'           set   those made without a name for two people
--   P..'members:'..room   hash  user id -> nick
--   P..'rooms-of:'..user  set   the private rooms a user is a member of
--   P..'posted'           set   public rooms posted to (kept whatever their number)
--   P..'polled'           set   public rooms only polled (at most maxRooms)
local P, OP = ARGV[1], ARGV[2]
local PRIVATE, DIRECT, POSTED, POLLED = P .. 'private', P .. 'direct', P .. 'posted', P .. 'polled'

local function arg(i) return ARGV[2 + i] end

-- The room every client polls by default is never up for grabs.
local function wasPublic(name)
  return name == 'lobby' or redis.call('SISMEMBER', POSTED, name) == 1 or redis.call('SISMEMBER', POLLED, name) == 1
end

-- info is a private room as listed: its name, then its members' nicks, sorted.
local function info(kind, name)
  local nicks = redis.call('HVALS', P .. 'members:' .. name)
  table.sort(nicks)
  local answer = {kind, name}
  for _, nick in ipairs(nicks) do answer[#answer + 1] = nick end
  return answer
end

local function memberships(user)
  return redis.call('SCARD', P .. 'rooms-of:' .. user)
end

local function add(name, user, nick)
  redis.call('HSET', P .. 'members:' .. name, user, nick)
  redis.call('SADD', P .. 'rooms-of:' .. user, name)
end

local function leave(name, user)
  if redis.call('SISMEMBER', PRIVATE, name) == 0 then return {'public'} end
  if redis.call('HDEL', P .. 'members:' .. name, user) == 0 then return {'outsider'} end
  redis.call('SREM', P .. 'rooms-of:' .. user, name)
  if redis.call('HLEN', P .. 'members:' .. name) > 0 then return info('left', name) end
  redis.call('SREM', PRIVATE, name)
  redis.call('SREM', DIRECT, name)
  return {'deleted'}
end

local ops = {}

-- access(room, user or '', use 'posted'|'polled'|'', maxRooms) -> 'public' | 'member' | 'outsider',
-- or 'public-kept' for a name that is public for good (posted to, polled, or lobby): no private room can take it
function ops.access()
  local name, user, use = arg(1), arg(2), arg(3)
  if redis.call('SISMEMBER', PRIVATE, name) == 1 then
    if user ~= '' and redis.call('HEXISTS', P .. 'members:' .. name, user) == 1 then return 'member' end
    return 'outsider'
  end
  if use == 'posted' then
    redis.call('SADD', POSTED, name)
  elseif use == 'polled' and redis.call('SCARD', POLLED) < tonumber(arg(4)) then
    redis.call('SADD', POLLED, name)
  end
  return wasPublic(name) and 'public-kept' or 'public'
end

-- create(name or '', maxRooms, maxMembers, maxMemberships, drawn names (comma-separated), user, nick, user, nick, ...)
function ops.create()
  local name = arg(1)
  local members = {}
  for i = 6, #ARGV - 3, 2 do members[#members + 1] = {arg(i), arg(i + 1)} end
  if name ~= '' and redis.call('SISMEMBER', PRIVATE, name) == 1 then return {'taken'} end
  if name ~= '' and wasPublic(name) then return {'was-public'} end
  if name == '' and #members == 2 then
    for _, room in ipairs(redis.call('SMEMBERS', P .. 'rooms-of:' .. members[1][1])) do
      if redis.call('SISMEMBER', DIRECT, room) == 1 and redis.call('HLEN', P .. 'members:' .. room) == 2
        and redis.call('HEXISTS', P .. 'members:' .. room, members[2][1]) == 1 then
        return info('existing', room)
      end
    end
  end
  if #members > tonumber(arg(3)) then return {'too-many-members'} end
  for _, member in ipairs(members) do
    if memberships(member[1]) >= tonumber(arg(4)) then return {'memberships', member[2]} end
  end
  if redis.call('SCARD', PRIVATE) >= tonumber(arg(2)) then return {'room-limit'} end
  if name == '' then
    for drawn in string.gmatch(arg(5), '[^,]+') do
      if redis.call('SISMEMBER', PRIVATE, drawn) == 0 and not wasPublic(drawn) then
        name = drawn
        break
      end
    end
    if name == '' then return redis.error_reply('every drawn room name was taken') end
    if #members == 2 then redis.call('SADD', DIRECT, name) end
  end
  redis.call('SADD', PRIVATE, name)
  for _, member in ipairs(members) do add(name, member[1], member[2]) end
  return info('created', name)
end

-- invite(room, by, user, nick, maxMembers, maxMemberships)
function ops.invite()
  local name, by, user, nick = arg(1), arg(2), arg(3), arg(4)
  local members = P .. 'members:' .. name
  if redis.call('SISMEMBER', PRIVATE, name) == 0 then return {'not-private'} end
  if redis.call('HEXISTS', members, by) == 0 then return {'outsider'} end
  if redis.call('HEXISTS', members, user) == 1 then return info('invited', name) end
  if redis.call('HLEN', members) >= tonumber(arg(5)) then return {'full'} end
  if memberships(user) >= tonumber(arg(6)) then return {'memberships', nick} end
  add(name, user, nick)
  return info('invited', name)
end

-- leave(room, user)
function ops.leave()
  return leave(arg(1), arg(2))
end

-- forget(user) -> the rooms deleted for want of members
function ops.forget()
  local deleted = {}
  for _, name in ipairs(redis.call('SMEMBERS', P .. 'rooms-of:' .. arg(1))) do
    if leave(name, arg(1))[1] == 'deleted' then deleted[#deleted + 1] = name end
  end
  return deleted
end

-- private-of(user) -> {{name, nick, ...}, ...}, by name
ops['private-of'] = function()
  local rooms = {}
  local names = redis.call('SMEMBERS', P .. 'rooms-of:' .. arg(1))
  table.sort(names)
  for _, name in ipairs(names) do
    local listed = info('', name)
    table.remove(listed, 1)
    rooms[#rooms + 1] = listed
  end
  return rooms
end

-- hidden(names...) -> those that are private rooms
function ops.hidden()
  local found = {}
  for i = 3, #ARGV do
    if redis.call('SISMEMBER', PRIVATE, ARGV[i]) == 1 then found[#found + 1] = ARGV[i] end
  end
  return found
end

local op = ops[OP]
if not op then return redis.error_reply('unknown room operation ' .. OP) end
return op()
