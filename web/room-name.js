/** LOBBY is the room everyone starts in (PROTOCOL.md: the poll's default room). */
export const LOBBY = 'lobby';

// PROTOCOL.md's room rule.
const ROOM = /^[a-z0-9][a-z0-9_-]{0,63}$/;
// The name the server draws for a private room created without one.
const DRAWN = /^room-[0-9a-z]{12}$/;

/** roomProblem says what is wrong with a proposed room name, or null if nothing. */
export function roomProblem(name) {
  if (name.length === 0) return 'Give the room a name.';
  if (!ROOM.test(name)) return 'A room name is 1 to 64 lower-case letters, digits, dashes or underscores, starting with a letter or digit.';
  return null;
}

/** isRoomName tells a valid room name. */
export function isRoomName(name) {
  return typeof name === 'string' && ROOM.test(name);
}

/**
 * roomKind: `direct` for a conversation between two people (a private room
 * of two whose name the server drew), else `private` or `public`.
 */
export function roomKind(info) {
  if (!info?.private) return 'public';
  return DRAWN.test(info.name) && info.members?.length === 2 ? 'direct' : 'private';
}

/** roomTitle names a room for the reader: a direct conversation by the other person. */
export function roomTitle(info, me) {
  if (roomKind(info) !== 'direct') return info.name;
  return info.members.find((member) => member !== me) ?? info.name;
}

/** ROOM_MARKS precede a room's title: what kind of room it is, at a glance. */
export const ROOM_MARKS = { public: '#', private: '🔒', direct: '@' };
