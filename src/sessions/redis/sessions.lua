-- The Redis session store: accounts, guests, sessions and one-time codes,
-- each operation one atomic call. ARGV: prefix, now (ms), operation, then
-- the operation's own arguments. Every call returns {result, ended}: ended
-- lists the sessions it ended (expired ones it came across included), five
-- fields each: nick, user id, guest ('1'/'0'), user gone ('1'/'0'), token.
-- Their tokens are also published on P..'sessions-ended', one per line, so
-- that every node forgets them at once (RedisSessionStore's cache).
--
--   P..'tok:'..token     hash    user: the session's user id
--   P..'expiry'          zset    token -> when it expires (ms): its last use plus its kind's idle time
--   P..'user:'..id       hash    nick, guest ('1'/'0'), status, bio, password ('' or salt:key in hex)
--   P..'tokens:'..id     set     the user's live tokens
--   P..'nick:'..nick     string  the user id holding the nick: an account's for good, a guest's while it lives
--   P..'ext:'..key       string  the account bound to an OpenID Connect issuer NUL subject
--   P..'online'          zset    nicks with sessions (all scored 0: searched by prefix)
--   P..'codes'           zset    one-time code -> when it expires; P..'code-users' hash: code -> user id
local P, NOW, OP = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local EXPIRY, ONLINE, CODES, CODE_USERS = P .. 'expiry', P .. 'online', P .. 'codes', P .. 'code-users'
local ENDED = {}

local function arg(i) return ARGV[3 + i] end

local function userFields(id)
  local u = redis.call('HMGET', P .. 'user:' .. id, 'nick', 'guest', 'status', 'bio')
  if not u[1] then return {} end
  return {id, u[1], u[2], u[3] or '', u[4] or ''}
end

-- endSession removes a session, and its user if a guest, noting it in ENDED.
local function endSession(token)
  local id = redis.call('HGET', P .. 'tok:' .. token, 'user')
  redis.call('DEL', P .. 'tok:' .. token)
  redis.call('ZREM', EXPIRY, token)
  if not id then return end
  local tokens = P .. 'tokens:' .. id
  redis.call('SREM', tokens, token)
  local u = redis.call('HMGET', P .. 'user:' .. id, 'nick', 'guest')
  local nick, guest = u[1] or '', u[2] == '1'
  local left = redis.call('SCARD', tokens)
  if left == 0 then redis.call('ZREM', ONLINE, nick) end
  if guest then
    if redis.call('GET', P .. 'nick:' .. nick) == id then redis.call('DEL', P .. 'nick:' .. nick) end
    redis.call('DEL', P .. 'user:' .. id, tokens)
  end
  for _, field in ipairs({nick, id, guest and '1' or '0', (guest or left == 0) and '1' or '0', token}) do ENDED[#ENDED + 1] = field end
end

-- liveUser gives the user id of a token's live session, ending it if it has expired.
local function liveUser(token)
  local expires = redis.call('ZSCORE', EXPIRY, token)
  if not expires then return nil end
  if tonumber(expires) <= NOW then
    endSession(token)
    return nil
  end
  return redis.call('HGET', P .. 'tok:' .. token, 'user')
end

local function hasLiveSession(id)
  for _, token in ipairs(redis.call('SMEMBERS', P .. 'tokens:' .. id)) do
    if liveUser(token) then return true end
  end
  return false
end

-- holder gives the current user of a nick: an account, or a guest with a live session.
local function holder(nick)
  local id = redis.call('GET', P .. 'nick:' .. nick)
  if not id then return nil end
  if redis.call('HGET', P .. 'user:' .. id, 'guest') == '1' and not hasLiveSession(id) then return nil end
  return id
end

local function sweep(count)
  for _, token in ipairs(redis.call('ZRANGEBYSCORE', EXPIRY, '-inf', NOW, 'LIMIT', 0, count)) do endSession(token) end
end

local function full(maxSessions)
  if redis.call('ZCARD', EXPIRY) >= maxSessions then sweep(maxSessions) end
  return redis.call('ZCARD', EXPIRY) >= maxSessions
end

local function start(id, token, idleMs)
  redis.call('HSET', P .. 'tok:' .. token, 'user', id)
  redis.call('ZADD', EXPIRY, NOW + idleMs, token)
  redis.call('SADD', P .. 'tokens:' .. id, token)
  redis.call('ZADD', ONLINE, 0, redis.call('HGET', P .. 'user:' .. id, 'nick'))
  return 'ok'
end

local function newUser(id, nick, guest, password)
  redis.call('HSET', P .. 'user:' .. id, 'nick', nick, 'guest', guest, 'status', '', 'bio', '', 'password', password)
  redis.call('SET', P .. 'nick:' .. nick, id)
end

local ops = {}

-- touch(token, mark '1'|'0', idleMs, accountIdleMs) -> user fields, or {} for no live session
function ops.touch()
  local id = liveUser(arg(1))
  if not id then return {} end
  local user = userFields(id)
  if arg(2) == '1' then redis.call('ZADD', EXPIRY, 'XX', NOW + tonumber(user[3] == '1' and arg(3) or arg(4)), arg(1)) end
  return user
end

-- taken(nick) -> '1' | '0'
function ops.taken()
  return holder(arg(1)) and '1' or '0'
end

-- open-guest(nick, new id, token, maxSessions, idleMs) -> 'ok' | 'taken' | 'full'
ops['open-guest'] = function()
  if holder(arg(1)) then return 'taken' end
  if full(tonumber(arg(4))) then return 'full' end
  newUser(arg(2), arg(1), '1', '')
  return start(arg(2), arg(3), tonumber(arg(5)))
end

-- create-account(login, new id, token, password, maxSessions, accountIdleMs) -> 'ok' | 'taken' | 'full'
ops['create-account'] = function()
  if holder(arg(1)) then return 'taken' end
  if full(tonumber(arg(5))) then return 'full' end
  newUser(arg(2), arg(1), '0', arg(4))
  return start(arg(2), arg(3), tonumber(arg(6)))
end

-- external-account(issuer NUL subject, nick base, new id) -> user fields
ops['external-account'] = function()
  local key = P .. 'ext:' .. arg(1)
  local known = redis.call('GET', key)
  if known then return userFields(known) end
  local nick, n = arg(2), 2
  while holder(nick) do
    nick = arg(2) .. '-' .. n
    n = n + 1
  end
  newUser(arg(3), nick, '0', '')
  redis.call('SET', key, arg(3))
  return userFields(arg(3))
end

-- credentials(login) -> user fields and password, or {}
function ops.credentials()
  local id = redis.call('GET', P .. 'nick:' .. arg(1))
  if not id or redis.call('HGET', P .. 'user:' .. id, 'guest') ~= '0' then return {} end
  local user = userFields(id)
  user[#user + 1] = redis.call('HGET', P .. 'user:' .. id, 'password') or ''
  return user
end

-- open-for(user id, token, maxSessions, accountIdleMs) -> 'ok' | 'full' | 'gone'
ops['open-for'] = function()
  if redis.call('EXISTS', P .. 'user:' .. arg(1)) == 0 then return 'gone' end
  if full(tonumber(arg(3))) then return 'full' end
  return start(arg(1), arg(2), tonumber(arg(4)))
end

-- close(token)
function ops.close()
  if redis.call('ZSCORE', EXPIRY, arg(1)) then endSession(arg(1)) end
  return 'ok'
end

-- close-others(user id, the token to keep)
ops['close-others'] = function()
  for _, token in ipairs(redis.call('SMEMBERS', P .. 'tokens:' .. arg(1))) do
    if token ~= arg(2) then endSession(token) end
  end
  return 'ok'
end

-- find(nick) -> user fields, or {}
function ops.find()
  local id = holder(arg(1))
  if not id then return {} end
  return userFields(id)
end

-- nicks(prefix, limit) -> the nicks with a live session starting with prefix, sorted
function ops.nicks()
  local found, limit, from = {}, tonumber(arg(2)), '[' .. arg(1)
  while #found < limit do
    local page = redis.call('ZRANGEBYLEX', ONLINE, from, '[' .. arg(1) .. '\255', 'LIMIT', 0, limit)
    if #page == 0 then break end
    for _, nick in ipairs(page) do
      local id = redis.call('GET', P .. 'nick:' .. nick)
      if id and hasLiveSession(id) and #found < limit then found[#found + 1] = nick end
    end
    from = '(' .. page[#page]
  end
  return found
end

-- edit-profile(user id, status, bio) -> user fields
ops['edit-profile'] = function()
  if redis.call('EXISTS', P .. 'user:' .. arg(1)) == 1 then redis.call('HSET', P .. 'user:' .. arg(1), 'status', arg(2), 'bio', arg(3)) end
  return userFields(arg(1))
end

-- set-password(user id, password)
ops['set-password'] = function()
  if redis.call('EXISTS', P .. 'user:' .. arg(1)) == 1 then redis.call('HSET', P .. 'user:' .. arg(1), 'password', arg(2)) end
  return 'ok'
end

-- sweep(count): ends up to count expired sessions -> how many it ended
function ops.sweep()
  sweep(tonumber(arg(1)))
  return tostring(#ENDED / 5)
end

-- grant(user id, code, validMs, max) -> 'ok' | 'full'
function ops.grant()
  for _, code in ipairs(redis.call('ZRANGEBYSCORE', CODES, '-inf', NOW)) do redis.call('HDEL', CODE_USERS, code) end
  redis.call('ZREMRANGEBYSCORE', CODES, '-inf', NOW)
  if redis.call('ZCARD', CODES) >= tonumber(arg(4)) then return 'full' end
  redis.call('ZADD', CODES, NOW + tonumber(arg(3)), arg(2))
  redis.call('HSET', CODE_USERS, arg(2), arg(1))
  return 'ok'
end

-- redeem(code) -> user fields, or {} for a code unknown, expired or used
function ops.redeem()
  local expires = redis.call('ZSCORE', CODES, arg(1))
  local id = redis.call('HGET', CODE_USERS, arg(1))
  redis.call('ZREM', CODES, arg(1))
  redis.call('HDEL', CODE_USERS, arg(1))
  if not expires or tonumber(expires) <= NOW or not id then return {} end
  return userFields(id)
end

local op = ops[OP]
if not op then return redis.error_reply('unknown session operation ' .. OP) end
local result = op()
if #ENDED > 0 then
  local tokens = {}
  for i = 5, #ENDED, 5 do tokens[#tokens + 1] = ENDED[i] end
  redis.call('PUBLISH', P .. 'sessions-ended', table.concat(tokens, '\n'))
end
return {result, ENDED}
