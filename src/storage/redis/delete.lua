-- delete removes a room with its history, and tells every node.
-- ARGV: prefix, room, epoch candidate.
local epoch = epochOf(ARGV[3])
deleteRoom(ARGV[2])
publish('d', ARGV[2], epoch)
return epoch
