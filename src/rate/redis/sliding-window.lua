-- sliding-window allows a key `limit` events in any `windowMs`: a list of
-- the times of its newest `limit` events, oldest first. The list expires
-- a window after its last event, so quiet keys cost Redis nothing.
-- ARGV: prefix, window name, key, limit, windowMs, now, mode ('take' | 'wait' | 'record').
-- Returns the milliseconds to wait, 0 when the event is (or would be) allowed.
local list = ARGV[1] .. 'rate:' .. ARGV[2] .. ':' .. ARGV[3]
local limit, windowMs, now, mode = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
while true do
  local oldest = redis.call('LINDEX', list, 0)
  if not oldest or tonumber(oldest) > now - windowMs then break end
  redis.call('LPOP', list)
end
local wait = 0
-- With a limit lowered since, more than `limit` times may be kept: the `limit`-th newest decides.
if limit > 0 and redis.call('LLEN', list) >= limit then wait = tonumber(redis.call('LINDEX', list, -limit)) + windowMs - now end
if mode == 'record' or (mode == 'take' and wait == 0) then
  redis.call('RPUSH', list, now)
  redis.call('LTRIM', list, -limit, -1)
  redis.call('PEXPIRE', list, windowMs)
end
return wait
