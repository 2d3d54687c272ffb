import { defineChatComponent } from '../src/app-context.ts';
import type { RoomInfo } from '../src/protocol/membership.ts';
import { reply } from '../src/protocol/packets.ts';
import { departurePort, listingPort, pollPort, presencePort, replyPort, userQueryPort } from '../src/protocol/ports.ts';
import { integerSetting } from '../src/runtime/port.ts';
import { PresenceMap } from '../src/presence/presence-map.ts';
import { SlidingWindow } from '../src/rate/sliding-window.ts';

/** Presence watches polls to know who is in each room, and announces arrivals and departures. */
export default defineChatComponent({
  name: 'Presence',
  description: 'Watches polls made with a session to know who is in each room; announces joins and leaves; answers who is online',
  inPorts: {
    poll: pollPort('Polls on their way to Storage'),
    departed: departurePort('Users whose session ended or who left a room'),
    users: userQueryPort('User queries, answered with who is online'),
    listing: listingPort('Room listings, answered with the number online in each room'),
    windowMs: integerSetting('Milliseconds a user stays present after their last poll (default 35000)', 1_000, 3_600_000),
    maxRoomsPerUser: integerSetting('Rooms a user is present in at once (default 20); a poll in another is answered, but makes no presence there', 1, 10_000),
    linesPerMinute: integerSetting('Join and leave lines a user appends to one room per minute (default 6); beyond them presence is tracked but not logged', 1, 1_000),
  },
  outPorts: {
    poll: pollPort('The same polls'),
    events: presencePort('Join and leave events, to be appended to their room'),
    reply: replyPort('Answers to user queries and room listings'),
  },
  create({ out, app }) {
    const present = new PresenceMap(35_000, app.now);
    let maxRoomsPerUser = 20;
    let lines = new SlidingWindow(6, 60_000, app.now);
    let sweeper: NodeJS.Timeout | undefined;

    /** announce asks Storage for a join or leave line, unless the user has had their lines in that room this minute. */
    function announce(room: string, nick: string, type: 'join' | 'leave'): Promise<void> | undefined {
      if (!out.isConnected('events') || lines.take(`${room}\n${nick}`) > 0) return undefined;
      return out.send('events', { room, nick, type });
    }

    function sweep(): void {
      for (const { room, nick } of present.expire()) void announce(room, nick, 'leave');
      if (present.isEmpty) {
        clearInterval(sweeper);
        sweeper = undefined;
      }
    }

    return {
      poll(command) {
        const nick = command.request.session?.nick;
        if (nick === undefined || command.request.ended) return out.send('poll', command);
        const { room } = command;
        // A poll in one room too many is answered all the same; it only does not make its user present there.
        if (!present.isIn(room, nick) && present.roomsOfUser(nick) >= maxRoomsPerUser) return out.send('poll', command);
        const arrived = present.arrive(room, nick);
        command.request.onEnd(() => present.pollEnded(room, nick));
        // A second is fine resolution for a 35 s window.
        sweeper ??= setInterval(sweep, Math.min(1_000, present.windowMs)).unref();
        // The join goes first, so the poll itself already sees it.
        const joined = arrived ? announce(room, nick, 'join') : undefined;
        return joined === undefined ? out.send('poll', command) : joined.then(() => out.send('poll', command));
      },
      departed({ nick, room }) {
        for (const left of present.leave(nick, room)) void announce(left, nick, 'leave');
      },
      users(query) {
        const { request } = query;
        if (query.kind === 'room') return out.send('reply', reply(request, 200, { room: query.room, users: present.users(query.room) }));
        if (query.kind === 'search') {
          return out.send('reply', reply(request, 200, { users: query.nicks.map((nick) => ({ nick, online: present.isOnline(nick) })) }));
        }
        return out.send('reply', reply(request, 200, { ...query.profile, online: present.isOnline(query.profile.nick) }));
      },
      listing(listing) {
        const rooms: RoomInfo[] = listing.rooms;
        for (const room of rooms) room.online = present.count(room.name);
        const body = listing.kind === 'list' ? { rooms } : { room: rooms[0] };
        return out.send('reply', reply(listing.request, listing.status, body));
      },
      windowMs(ms) {
        present.windowMs = ms;
      },
      maxRoomsPerUser(max) {
        maxRoomsPerUser = max;
      },
      linesPerMinute(max) {
        lines.clear();
        lines = new SlidingWindow(max, 60_000, app.now);
      },
      onStop() {
        clearInterval(sweeper);
        lines.clear();
      },
    };
  },
});
