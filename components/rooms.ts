import { defineChatComponent } from '../src/app/app-context.ts';
import { noPrivateRoom, ProtocolError } from '../src/protocol/errors.ts';
import { jsonObject, room } from '../src/protocol/fields.ts';
import type { Person, RoomCommand, RoomInfo, RoomListing, UserQuery } from '../src/protocol/membership.ts';
import { refusalOf, type HttpRequest, type PollCommand, type PostCommand, type SessionRef } from '../src/protocol/packets.ts';
import { departurePort, listingPort, pollPort, postPort, replyPort, roomCommandPort, roomNamePort, sessionEndPort, userQueryPort } from '../src/protocol/ports.ts';
import { integerSetting } from '../src/runtime/port.ts';
import type { Access, Member } from '../src/rooms/room-store.ts';

type Sent = Promise<void> | undefined;

/** The settings Rooms takes as initial packets, with their defaults. */
const settings = {
  maxRooms: integerSetting('private rooms at once; beyond it 503 `ROOM_LIMIT`', 1, 1_000_000, 10_000),
  maxMembers: integerSetting('members of one private room; beyond it 409 `ROOM_FULL`', 2, 100_000, 100),
  maxMemberships: integerSetting('private rooms one user may be a member of; a creation or invitation beyond it 409 `ROOM_FULL`', 1, 100_000, 200),
};

/**
 * Rooms keeps private rooms and their members, and lets only members reach
 * them. The rooms live in the application's room store (memory, or Redis
 * shared by every node).
 */
export default defineChatComponent({
  name: 'Rooms',
  description: 'Creates private rooms, invites and leaves, lists rooms, and stops non-members from polling, posting or listing users in a private room',
  inPorts: {
    manage: roomCommandPort('GET and POST B/rooms, POST B/rooms/R/invite and B/rooms/R/leave, with the people they name found'),
    poll: pollPort('Checked polls'),
    post: postPort('Checked posts'),
    users: userQueryPort('User queries'),
    ended: sessionEndPort('Sessions that ended: a guest\'s memberships end with it'),
    ...settings,
  },
  outPorts: {
    poll: pollPort('Polls the caller may make'),
    post: postPort('Posts the caller may make'),
    users: userQueryPort('User queries the caller may make'),
    listing: listingPort('Room listings and answers about one room, to be completed with who is online and the last ids'),
    departed: departurePort('Users who left a room, or whose last session ended'),
    forget: roomNamePort('Private rooms deleted for want of members: their history goes too'),
    reply: replyPort('Refusals: 401, 403, 404, 400, 409'),
  },
  leadsTo: { manage: ['listing', 'reply'], poll: ['poll', 'reply'], post: ['post', 'reply'], users: ['users', 'reply'] },
  create({ out, app, background }) {
    const rooms = app.stores.rooms;
    const limits = { maxRooms: settings.maxRooms.default, maxMembers: settings.maxMembers.default, maxMemberships: settings.maxMemberships.default };
    rooms.configure(limits);
    const hidden = (names: readonly string[]) => rooms.hidden(names);

    /** guarded passes a packet on once its request may reach the room (PROTOCOL.md: members only in a private room), else answers the refusal. */
    function guarded<P>(request: HttpRequest, name: string, use: 'posted' | 'polled' | undefined, pass: (packet: P) => Sent, packet: P): Sent {
      const access = rooms.access(name, request.session?.user, use);
      if (!(access instanceof Promise)) return access === 'outsider' ? refuse(request, name) : pass(packet);
      const decide = (found: Access): Sent => (found === 'outsider' ? refuse(request, name) : pass(packet));
      background(access.then(decide, (error: unknown) => out.send('reply', refusalOf(request, error))), request);
      return undefined;
    }

    // Made once, not once per packet.
    const passPoll = (command: PollCommand): Sent => out.send('poll', command);
    const passQuery = (query: UserQuery): Sent => out.send('users', query);

    function refuse(request: HttpRequest, name: string): Sent {
      return out.send('reply', refusalOf(request, outsider(request, name)));
    }

    function one(request: HttpRequest, status: number, info: RoomInfo): RoomListing {
      return { request, kind: 'one', status, rooms: [{ ...info }], hidden };
    }

    function forget(names: readonly string[]): void {
      if (out.isConnected('forget')) for (const name of names) void out.send('forget', name);
    }

    async function manage({ request, people }: RoomCommand): Promise<RoomListing> {
      if (request.method === 'GET') {
        return { request, kind: 'list', status: 200, rooms: await rooms.privateOf(request.session?.user), hidden };
      }
      const me = request.session;
      if (me === undefined) throw new ProtocolError('NO_SESSION');
      const action = request.params.room === undefined ? 'create' : request.path.replace(/\/$/, '').split('/').at(-1);
      if (action === 'create') return create(request, me, jsonObject(request.body), people);
      const name = room(request.params.room, 'lobby');
      if (action === 'leave') {
        if ((await rooms.access(name, me.user, undefined)) === 'outsider') throw outsider(request, name);
        if (out.isConnected('departed')) void out.send('departed', { nick: me.nick, room: name });
        const left = await rooms.leave(name, me.user);
        if (left.kind === 'left') return one(request, 200, left.info);
        if (left.kind === 'outsider') throw outsider(request, name);
        if (left.kind === 'deleted') {
          forget([name]);
          return one(request, 200, { name, private: true, members: [] });
        }
        return one(request, 200, { name, private: false });
      }
      const [invited] = current(people) as [Member];
      const result = await rooms.invite(name, me.user, invited);
      switch (result.kind) {
        case 'invited':
          return one(request, 200, result.info);
        case 'not-private':
          throw new ProtocolError('NOT_FOUND', `there is no private room "${name}"; public rooms need no invitation`);
        case 'outsider':
          throw outsider(request, name);
        case 'full':
          throw new ProtocolError('ROOM_FULL', `"${name}" has ${limits.maxMembers} members, the most a private room may have`);
        default:
          throw tooManyMemberships(result.nick);
      }
    }

    async function create(request: HttpRequest, me: SessionRef, fields: Record<string, unknown>, people: readonly Person[]): Promise<RoomListing> {
      if (fields.private !== undefined && typeof fields.private !== 'boolean') throw new ProtocolError('BAD_FIELD', '"private" must be true or false');
      const name = fields.name === undefined ? undefined : room(fields.name, 'lobby');
      if (fields.private !== true) {
        if (name === undefined) throw new ProtocolError('BAD_ROOM', 'a public room needs a name; public rooms need no creation, so you may simply post to it');
        if ((await rooms.access(name, me.user, undefined)) !== 'public') throw new ProtocolError('BAD_ROOM', `"${name}" is a private room; choose another name`);
        return one(request, 201, { name, private: false });
      }
      const members = new Map<string, Member>([[me.user, { user: me.user, nick: me.nick }]]);
      for (const member of current(people)) members.set(member.user, member);
      const result = await rooms.create(name, [...members.values()]);
      switch (result.kind) {
        case 'created':
          return one(request, 201, result.info);
        case 'existing':
          return one(request, 200, result.info);
        case 'taken':
          throw new ProtocolError('ROOM_TAKEN', `there is a private room "${name}" already; choose another name or leave "name" out`);
        case 'was-public':
          throw new ProtocolError('ROOM_TAKEN', `"${name}" is or was a public room; choose another name for a private one`);
        case 'too-many-members':
          throw new ProtocolError('ROOM_FULL', `a private room has at most ${limits.maxMembers} members; name fewer`);
        case 'memberships':
          throw tooManyMemberships(result.nick);
        default:
          throw new ProtocolError('ROOM_LIMIT');
      }
    }

    function tooManyMemberships(nick: string): ProtocolError {
      return new ProtocolError('ROOM_FULL', `${nick} is a member of ${limits.maxMemberships} private rooms, the most one user may be; leave one first`);
    }

    return {
      manage(command) {
        const done = manage(command).then(
          (listing) => out.send('listing', listing),
          (error: unknown) => out.send('reply', refusalOf(command.request, error)),
        );
        background(done, command.request);
      },
      poll: (command: PollCommand) => guarded(command.request, command.room, 'polled', passPoll, command),
      post(command: PostCommand) {
        const { request } = command;
        const checked = rooms.access(command.room, request.session?.user, command.mustBePrivate ? undefined : 'posted');
        const decide = (access: Access): Sent => {
          if (command.mustBePrivate && access === 'public') return out.send('reply', refusalOf(request, noPrivateRoom(command.room)));
          if (access === 'outsider') return out.send('reply', refusalOf(request, outsider(request, command.room)));
          return out.send('post', command.mustBePrivate ? { ...command, mustBePrivate: false } : command);
        };
        if (!(checked instanceof Promise)) return decide(checked);
        background(checked.then(decide, (error: unknown) => out.send('reply', refusalOf(request, error))), request);
        return undefined;
      },
      users(query) {
        if (query.kind !== 'room') return out.send('users', query);
        return guarded(query.request, query.room, undefined, passQuery, query);
      },
      ended({ nick, user, guest, userGone }) {
        const departed = (): Sent => (userGone && out.isConnected('departed') ? out.send('departed', { nick }) : undefined);
        // A guest owns nothing beyond its session: a later guest of the same nick is someone else.
        if (!guest) return departed();
        const deleted = rooms.forget(user);
        if (!(deleted instanceof Promise)) {
          forget(deleted);
          return departed();
        }
        background(deleted.then((names) => (forget(names), departed())), undefined);
        return undefined;
      },
      maxRooms(max) {
        limits.maxRooms = max;
        rooms.configure(limits);
      },
      maxMembers(max) {
        limits.maxMembers = max;
        rooms.configure(limits);
      },
      maxMemberships(max) {
        limits.maxMemberships = max;
        rooms.configure(limits);
      },
    };
  },
});

/** outsider is the refusal of a request to a private room from someone who is not a member (or has no session). */
function outsider(request: HttpRequest, name: string): ProtocolError {
  if (request.session === undefined) return new ProtocolError('NO_SESSION', `"${name}" is a private room; open a session and send its token as "Authorization: Bearer <token>"`);
  return new ProtocolError('NOT_A_MEMBER', `you are not a member of the private room "${name}"; ask a member to invite you`);
}

/** current keeps the people who are users now, and refuses a nick nobody holds (PROTOCOL.md: 404). */
function current(people: readonly Person[]): Member[] {
  return people.map(({ nick, user }) => {
    if (user === undefined) throw new ProtocolError('NOT_FOUND', `nobody is called "${nick}" now: invite people by the nick of an account or of someone signed in`);
    return { user, nick };
  });
}
