import { isRoomName, LOBBY, ROOM_MARKS, roomKind, roomTitle } from './room-name.js';

const KIND_ORDER = { public: 0, private: 1, direct: 2 };
const SPOKEN_KIND = { public: '', private: ', private room', direct: ', direct conversation' };

/**
 * createRoomList shows the rooms one can open: the public rooms the server
 * lists, one's private rooms and direct conversations, and always the lobby
 * and the room open now. Each shows its unread count (what `seen` says the
 * reader has not read of it). `listRooms()` asks the server (GET
 * B/rooms); the list asks again every `everyMs` and whenever `refresh()` is
 * called. Choosing a room calls `onSelect(name)`; `onTotal(n)` hears the
 * unread count of all rooms but the open one, `onListed()` of each new listing.
 */
export function createRoomList({ element, listRooms, seen, me, onSelect, onTotal, onListed, everyMs }) {
  let known = new Map();
  let current = LOBBY;
  let timer = null;
  let asked = 0;
  let shownListing = 0;

  async function refresh() {
    clearTimeout(timer);
    timer = setTimeout(refresh, everyMs);
    const mine = ++asked;
    let rooms;
    try {
      ({ rooms } = await listRooms());
    } catch {
      // Keep the last list; the next refresh may do better.
      return;
    }
    // A listing is shown unless a newer one already is: on a slow link,
    // listings overlap, and waiting for the newest alone would show none.
    if (mine < shownListing || !Array.isArray(rooms)) return;
    shownListing = mine;
    known = new Map(rooms.filter((room) => isRoomName(room?.name)).map((room) => [room.name, room]));
    for (const room of known.values()) seen.listed(room);
    // Counts the listings received, so a test or script can wait for a fresh one.
    element.dataset.listings = String(Number(element.dataset.listings ?? 0) + 1);
    render();
    onListed();
  }

  function shown() {
    const rooms = new Map(known);
    for (const name of [LOBBY, current]) if (!rooms.has(name)) rooms.set(name, { name, private: false });
    const key = (room) => [KIND_ORDER[roomKind(room)], room.name === LOBBY ? 0 : 1, roomTitle(room, me())];
    return [...rooms.values()].sort((a, b) => compare(key(a), key(b)));
  }

  function render() {
    // Rebuilt whole, so the focus (keyboard users tabbing through) is put back by hand.
    const focused = element.contains(document.activeElement) ? document.activeElement.closest('li')?.dataset.room : undefined;
    let total = 0;
    const items = shown().map((room) => {
      const unread = room.name === current ? 0 : seen.unread(room);
      total += unread;
      return renderRoom(room, unread);
    });
    element.replaceChildren(...items);
    if (focused !== undefined) element.querySelector(`li[data-room="${focused}"] button`)?.focus();
    onTotal(total);
  }

  function renderRoom(room, unread) {
    const kind = roomKind(room);
    const item = document.createElement('li');
    item.dataset.room = room.name;
    item.dataset.kind = kind;
    item.dataset.unread = String(unread);
    const button = document.createElement('button');
    button.type = 'button';
    if (room.name === current) button.setAttribute('aria-current', 'page');
    if (room.private) button.title = `Members: ${(room.members ?? []).join(', ')}`;
    button.append(
      piece('mark', ROOM_MARKS[kind], { hidden: true }),
      piece('title', roomTitle(room, me())),
      piece('visually-hidden', SPOKEN_KIND[kind]),
    );
    if (room.online > 0) button.append(piece('online', `${room.online} here`));
    if (unread > 0) {
      const badge = piece('badge', unread > 99 ? '99+' : String(unread));
      badge.append(piece('visually-hidden', ' unread'));
      button.append(badge);
    }
    button.addEventListener('click', () => onSelect(room.name));
    item.append(button);
    return item;
  }

  return {
    /** start shows the list and keeps it fresh. */
    start() {
      render();
      refresh();
    },
    refresh,
    /** render shows the list again, e.g. after messages were seen. */
    render,
    /** setCurrent marks `name` as the open room. */
    setCurrent(name) {
      current = name;
      render();
    },
    /** add makes a room the server just created known before the next refresh. */
    add(room) {
      if (isRoomName(room?.name)) known.set(room.name, room);
      render();
    },
    /** info is what the last listing said of a room, if anything. */
    info(name) {
      return known.get(name);
    },
  };
}

function piece(className, text, { hidden = false } = {}) {
  const span = document.createElement('span');
  span.className = className;
  span.textContent = text;
  if (hidden) span.setAttribute('aria-hidden', 'true');
  return span;
}

function compare(a, b) {
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return 0;
}
