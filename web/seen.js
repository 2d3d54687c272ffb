const KEY = 'flowchat.seen';

/**
 * createSeen remembers, per room, the highest message id the reader has
 * had on screen, so a room's unread count is its last id minus that. Ids
 * restart when the server's epoch changes, and so does this memory. Kept in
 * localStorage so a reload does not mark everything unread again.
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

  // Own properties only: "constructor" is a valid room name.
  const seenIn = (room) => {
    const id = Object.hasOwn(state.rooms, room) ? state.rooms[room] : 0;
    return Number.isSafeInteger(id) ? id : 0;
  };

  return {
    /** useEpoch starts afresh when `epoch` is not the one the ids were seen in. */
    useEpoch(epoch) {
      if (state.epoch === epoch) return;
      state = { epoch, rooms: {} };
      save();
    },
    /** mark records that the reader has seen `room` up to `id`. */
    mark(room, id) {
      if (!Number.isSafeInteger(id) || id <= seenIn(room)) return;
      state.rooms[room] = id;
      save();
    },
    /**
     * unread counts the entries after the last one seen, join and leave
     * lines included: the room listing tells only the last id.
     */
    unread(room, lastId) {
      return Number.isSafeInteger(lastId) ? Math.max(0, lastId - seenIn(room)) : 0;
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
