import { defineChatComponent } from '../src/app/app-context.ts';
import type { RoomInfo, RoomListing, UserQuery } from '../src/protocol/membership.ts';
import { refusalOf, reply, type HttpRequest, type PollCommand, type Reply } from '../src/protocol/packets.ts';
import { departurePort, listingPort, pollPort, presencePort, replyPort, userQueryPort } from '../src/protocol/ports.ts';
import { integerSetting } from '../src/runtime/port.ts';
import { after, type MaybePromise } from '../src/util/maybe-promise.ts';
import type { Departure } from '../src/presence/presence-store.ts';

type Sent = Promise<void> | undefined;

const LINE_WINDOW_MS = 60_000;

/** The settings Presence takes as initial packets, with their defaults. */
const settings = {
  windowMs: integerSetting('milliseconds a user stays present in a room after their last poll there', 1_000, 3_600_000, 35_000),
  maxRoomsPerUser: integerSetting('rooms a user is present in at once; a poll in another is answered but makes no presence there', 1, 10_000, 20),
  linesPerMinute: integerSetting('join and leave lines one user appends to one room per minute; beyond them presence is tracked, not logged', 1, 1_000, 6),
};

/**
 * Presence watches polls to know who is in each room, and announces
 * arrivals and departures. Who is where lives in the application's presence
 * store (memory, or Redis shared by every node).
 */
export default defineChatComponent({
  name: 'Presence',
  description: 'Watches polls made with a session to know who is in each room; announces joins and leaves; answers who is online',
  inPorts: {
    poll: pollPort('Polls on their way to Storage'),
    departed: departurePort('Users whose session ended or who left a room'),
    users: userQueryPort('User queries, answered with who is online'),
    listing: listingPort('Room listings, answered with the number online in each room'),
    ...settings,
  },
  outPorts: {
    poll: pollPort('The same polls'),
    events: presencePort('Join and leave events, to be appended to their room'),
    reply: replyPort('Answers to user queries and room listings'),
  },
  leadsTo: { poll: ['poll'], users: ['reply'], listing: ['reply'] },
  create({ out, app, background }) {
    const present = app.stores.presence;
    present.configure({ windowMs: 35_000, maxRoomsPerUser: 20 });
    let windowMs = settings.windowMs.default;
    const lines = app.stores.rateWindow('presence-lines', settings.linesPerMinute.default, LINE_WINDOW_MS);
    let sweeper: NodeJS.Timeout | undefined;
    // The polls this node holds, by room NUL nick: refreshed in the store at each sweep.
    const holding = new Map<string, number>();

    /** announce asks Storage for a join or leave line, unless the user has had their lines in that room this minute. */
    function announce(room: string, nick: string, type: 'join' | 'leave'): Sent {
      if (!out.isConnected('events')) return undefined;
      const wait = lines.take(`${room}\n${nick}`);
      const send = (ms: number): Sent => (ms > 0 ? undefined : out.send('events', { room, nick, type }));
      // A line nobody asked for is given up when the store cannot count it.
      return wait instanceof Promise ? wait.then(send, () => undefined) : send(wait);
    }

    function announceAll(gone: readonly Departure[]): void {
      for (const { room, nick } of gone) void announce(room, nick, 'leave');
    }

    function sweep(): void {
      const done = ({ gone, empty }: { readonly gone: readonly Departure[]; readonly empty: boolean }): void => {
        announceAll(gone);
        if (!empty) return;
        clearInterval(sweeper);
        sweeper = undefined;
      };
      const held = [...holding.keys()].map((key) => {
        const [room = '', nick = ''] = key.split('\u0000');
        return { room, nick };
      });
      const refreshed = present.refresh(held);
      if (!(refreshed instanceof Promise)) return void after(present.expire(), done);
      // A store that cannot be reached now is swept next time.
      refreshed.then(() => present.expire()).then(done, () => undefined);
    }

    /** answer replies once the store has answered, or answers the store's refusal. */
    function answer<T>(request: HttpRequest, value: MaybePromise<T>, make: (value: T) => Reply): Sent {
      if (!(value instanceof Promise)) return out.send('reply', make(value));
      background(value.then((v) => out.send('reply', make(v)), (error: unknown) => out.send('reply', refusalOf(request, error))), request);
      return undefined;
    }

    function arrived(command: PollCommand, nick: string, result: 'joined' | 'present' | 'refused'): Sent {
      // A poll in one room too many is answered all the same; it only does not make its user present there.
      if (result === 'refused') return out.send('poll', command);
      const { room } = command;
      const key = `${room}\u0000${nick}`;
      holding.set(key, (holding.get(key) ?? 0) + 1);
      command.request.onEnd(() => {
        const left = (holding.get(key) ?? 1) - 1;
        if (left === 0) holding.delete(key);
        else holding.set(key, left);
        const ended = present.pollEnded(room, nick);
        if (ended instanceof Promise) ended.catch(() => undefined);
      });
      // A second is fine resolution for a 35 s window.
      sweeper ??= setInterval(sweep, Math.min(1_000, windowMs)).unref();
      // The join goes first, so the poll itself already sees it.
      const joined = result === 'joined' ? announce(room, nick, 'join') : undefined;
      return joined === undefined ? out.send('poll', command) : joined.then(() => out.send('poll', command));
    }

    function users(query: UserQuery): Sent {
      const { request } = query;
      if (query.kind === 'room') return answer(request, present.users(query.room), (found) => reply(request, 200, { room: query.room, users: found }));
      if (query.kind === 'search') {
        return answer(request, present.online(query.nicks), (online) => reply(request, 200, { users: query.nicks.map((nick, i) => ({ nick, online: online[i] })) }));
      }
      return answer(request, present.online([query.profile.nick]), ([online]) => reply(request, 200, { ...query.profile, online }));
    }

    function listing(listing: RoomListing): Sent {
      const rooms: RoomInfo[] = listing.rooms;
      return answer(listing.request, present.counts(rooms.map((room) => room.name)), (counts) => {
        rooms.forEach((room, i) => (room.online = counts[i]));
        return reply(listing.request, listing.status, listing.kind === 'list' ? { rooms } : { room: rooms[0] });
      });
    }

    return {
      poll(command) {
        const nick = command.request.session?.nick;
        if (nick === undefined || command.request.ended) return out.send('poll', command);
        const result = present.arrive(command.room, nick);
        if (!(result instanceof Promise)) return arrived(command, nick, result);
        // A store that cannot be reached makes no presence; the poll goes on, to be answered by Storage.
        background(result.then((r) => arrived(command, nick, r), () => out.send('poll', command)), command.request);
        return undefined;
      },
      departed({ nick, room }) {
        const left = present.leave(nick, room);
        const leaves = (rooms: readonly string[]): void => announceAll(rooms.map((r) => ({ room: r, nick })));
        if (left instanceof Promise) left.then(leaves, () => undefined);
        else leaves(left);
      },
      users,
      listing,
      windowMs(ms) {
        windowMs = ms;
        present.configure({ windowMs: ms });
      },
      maxRoomsPerUser(max) {
        present.configure({ maxRoomsPerUser: max });
      },
      linesPerMinute(max) {
        lines.limit = max;
      },
      onStop() {
        clearInterval(sweeper);
        lines.clear();
      },
    };
  },
});
