-- read finds up to `limit` entries of a room with ids above `since`.
-- ARGV: prefix, room, since, limit, epoch candidate.
-- Returns {epoch, lastId, firstId, json...}.
local room, since, limit = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local epoch = epochOf(ARGV[5])
local last = tonumber(redis.call('HGET', P .. 'm:' .. room, 'last')) or 0
if last == 0 then return {epoch, '0', '1'} end
local first = firstIdOf(room, last)
local answer = {epoch, tostring(last), tostring(first)}
if since >= last then return answer end
local from = math.max(since + 1, first)
for _, entry in ipairs(redis.call('XRANGE', P .. 'r:' .. room, '0-' .. from, '+', 'COUNT', limit)) do
  answer[#answer + 1] = (fieldsOf(entry))
end
return answer
