import { isRoomName, LOBBY } from './room-name.js';

/**
 * readSettings takes the page's tuning knobs from its query string.
 * `maxBackoff` (milliseconds) lowers the 30 s retry cap, so tests and demos
 * see recovery within seconds; out-of-range values fall back to the default.
 * `room` is the room to open (the page keeps it there, so a reload or a
 * shared link returns to it).
 */
export function readSettings(search) {
  const query = new URLSearchParams(search);
  const maxBackoff = Number(query.get('maxBackoff'));
  const room = query.get('room');
  return {
    room: isRoomName(room) ? room : LOBBY,
    roomsEveryMs: 5_000,
    usersEveryMs: 10_000,
    holdSeconds: 25,
    pageSize: 200,
    backoff: {
      baseMs: 500,
      capMs: Number.isInteger(maxBackoff) && maxBackoff >= 100 && maxBackoff <= 30_000 ? maxBackoff : 30_000,
    },
  };
}
