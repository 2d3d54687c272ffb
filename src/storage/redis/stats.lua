-- stats reads the epoch and the number of rooms holding posted messages.
-- ARGV: prefix, epoch candidate.
return {epochOf(ARGV[2]), redis.call('HGET', STATS, 'posted') or '0'}
