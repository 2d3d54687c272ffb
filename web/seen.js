const KEY = 'flowchat.seen';

/**
 * createSeen remembers, per room, how far the reader has read: the highest
 * id they had on screen, and how many posted messages (join and leave lines
 * left out) the room held up to that id. The room listing tells each room's
 * `messages`, so its unread count is that minus ours: people coming and
 * going do not count as news. Ids restart when the server's epoch changes,
 * and so does this memory. Kept in localStorage so a reload does not mark
 * everything unread again.
 */
export function createSeen() {
  let state = load();

  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify(state));
    } catch {
      // Without storage the counts last as long as the page.
    }
  }

  // Own properties only: "constructor" is a valid room name. `count` is null
  // when some ids went by unseen (dropped from the server's history), until
  // a listing made at exactly our id says what it is.
  const at = (room) => {
    const place = Object.hasOwn(state.rooms, room) ? state.rooms[room] : undefined;
    if (typeof place === 'number') return { id: Number.isSafeInteger(place) ? place : 0, count: null }; // saved by an older page
    if (!Number.isSafeInteger(place?.id)) return { id: 0, count: 0 };
    return { id: place.id, count: Number.isSafeInteger(place.count) ? place.count : null };
  };
  const put = (room, place) => {
    state.rooms[room] = place;
    save();
  };

  return {
    /** useEpoch starts afresh when `epoch` is not the one the ids were seen in. */
    useEpoch(epoch) {
      if (state.epoch === epoch) return;
      state = { epoch, rooms: {} };
      save();
    },
    /** read records that the reader has had `messages` of `room` on screen (oldest first, as answered). */
    read(room, messages) {
      let { id, count } = at(room);
      const start = id;
      for (const message of messages) {
        if (!Number.isSafeInteger(message?.id) || message.id <= id) continue;
        // Ids have no gaps, so a jump means entries went by that nobody counted.
        count = message.id === id + 1 && count !== null ? count + (message.type === 'message' ? 1 : 0) : null;
        id = message.id;
      }
      if (id !== start) put(room, { id, count });
    },
    /** listed takes a room from a listing, and learns its count if we have read exactly up to its last id. */
    listed(room) {
      const { id, count } = at(room.name);
      if (count === null && id === room.lastId && Number.isSafeInteger(room.messages)) put(room.name, { id, count: room.messages });
    },
    /** unread counts the posted messages after the last one read (by ids alone where the server gives no count). */
    unread(room) {
      const { id, count } = at(room.name);
      if (count !== null && Number.isSafeInteger(room.messages)) return Math.max(0, room.messages - count);
      return Number.isSafeInteger(room.lastId) ? Math.max(0, room.lastId - id) : 0;
    },
  };
}

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (typeof saved?.epoch === 'string' && typeof saved.rooms === 'object' && saved.rooms !== null) return saved;
  } catch {
    // Unreadable: start counting from now.
  }
  return { epoch: null, rooms: {} };
}
