-- tallies reads each named room's counts, or, with no names, those of the
-- most recently active rooms from rank `from` on.
-- ARGV: prefix, from, count, names...
-- Returns {name, last, messages, active, ...}.
local names = {}
for i = 4, #ARGV do names[#names + 1] = ARGV[i] end
if #names == 0 then
  local from = tonumber(ARGV[2])
  names = redis.call('ZREVRANGE', ACTIVE, from, from + tonumber(ARGV[3]) - 1)
end
local answer = {}
for _, name in ipairs(names) do
  local counts = redis.call('HMGET', P .. 'm:' .. name, 'last', 'messages', 'active')
  answer[#answer + 1] = name
  answer[#answer + 1] = counts[1] or '0'
  answer[#answer + 1] = counts[2] or '0'
  answer[#answer + 1] = counts[3] or '0'
end
return answer
