import { defineChatComponent } from '../src/app-context.ts';
import { noPrivateRoom, ProtocolError } from '../src/protocol/errors.ts';
import { jsonObject, room } from '../src/protocol/fields.ts';
import type { Person, RoomCommand, RoomInfo, RoomListing } from '../src/protocol/membership.ts';
import { attempt, type HttpRequest, type SessionRef } from '../src/protocol/packets.ts';
import { departurePort, listingPort, pollPort, postPort, replyPort, roomCommandPort, roomNamePort, sessionEndPort, userQueryPort } from '../src/protocol/ports.ts';
import { integerSetting } from '../src/runtime/port.ts';
import { RoomDirectory, type Member } from '../src/rooms/room-directory.ts';

/** Rooms keeps private rooms and their members, and lets only members reach them. */
export default defineChatComponent({
  name: 'Rooms',
  description: 'Creates private rooms, invites and leaves, lists rooms, and stops non-members from polling, posting or listing users in a private room',
  inPorts: {
    manage: roomCommandPort('GET and POST B/rooms, POST B/rooms/R/invite and B/rooms/R/leave, with the people they name found'),
    poll: pollPort('Checked polls'),
    post: postPort('Checked posts'),
    users: userQueryPort('User queries'),
    ended: sessionEndPort('Sessions that ended: a guest\'s memberships end with it'),
    maxRooms: integerSetting('Private rooms at once (default 10000)', 1, 1_000_000),
    maxMembers: integerSetting('Members of one private room (default 100); beyond it 409 ROOM_FULL', 2, 100_000),
    maxMemberships: integerSetting('Private rooms one user may be a member of (default 200); beyond it 409 ROOM_FULL', 1, 100_000),
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
  create({ out }) {
    const directory = new RoomDirectory(10_000);
    let maxMembers = 100;
    let maxMemberships = 200;

    /** roomFor checks that each of `members` may join one more private room. */
    function roomFor(members: Iterable<Member>): void {
      for (const { user, nick } of members) {
        if (directory.memberships(user) >= maxMemberships) {
          throw new ProtocolError('ROOM_FULL', `${nick} is a member of ${maxMemberships} private rooms, the most one user may be; leave one first`);
        }
      }
    }

    /** guard lets a request reach a private room only with a session of a member. */
    function guard(request: HttpRequest, name: string): void {
      if (!directory.isPrivate(name)) return;
      if (request.session === undefined) throw new ProtocolError('NO_SESSION', `"${name}" is a private room; open a session and send its token as "Authorization: Bearer <token>"`);
      if (!directory.isMember(name, request.session.user)) throw new ProtocolError('NOT_A_MEMBER', `you are not a member of the private room "${name}"; ask a member to invite you`);
    }

    function one(request: HttpRequest, status: number, info: RoomInfo): RoomListing {
      return { request, kind: 'one', status, rooms: [{ ...info }], hidden: directory.privateNames };
    }

    function forget(rooms: readonly string[]): void {
      if (out.isConnected('forget')) for (const name of rooms) void out.send('forget', name);
    }

    function manage({ request, people }: RoomCommand): RoomListing {
      if (request.method === 'GET') {
        return { request, kind: 'list', status: 200, rooms: directory.privateOf(request.session?.user), hidden: directory.privateNames };
      }
      const me = request.session;
      if (me === undefined) throw new ProtocolError('NO_SESSION');
      const action = request.params.room === undefined ? 'create' : request.path.replace(/\/$/, '').split('/').at(-1);
      if (action === 'create') return create(request, me, jsonObject(request.body), people);
      const name = room(request.params.room, 'lobby');
      if (action === 'leave') {
        guard(request, name);
        if (out.isConnected('departed')) void out.send('departed', { nick: me.nick, room: name });
        const left = directory.leave(name, me.user);
        if (left !== 'deleted') return one(request, 200, left ?? { name, private: false });
        forget([name]);
        return one(request, 200, { name, private: true, members: [] });
      }
      if (!directory.isPrivate(name)) throw new ProtocolError('NOT_FOUND', `there is no private room "${name}"; public rooms need no invitation`);
      guard(request, name);
      const [invited] = current(people) as [Member];
      if (directory.isMember(name, invited.user)) return one(request, 200, directory.info(name) as RoomInfo);
      if (directory.size(name) >= maxMembers) {
        throw new ProtocolError('ROOM_FULL', `"${name}" has ${maxMembers} members, the most a private room may have`);
      }
      roomFor([invited]);
      return one(request, 200, directory.invite(name, invited) as RoomInfo);
    }

    function create(request: HttpRequest, me: SessionRef, fields: Record<string, unknown>, people: readonly Person[]): RoomListing {
      if (fields.private !== undefined && typeof fields.private !== 'boolean') throw new ProtocolError('BAD_FIELD', '"private" must be true or false');
      const name = fields.name === undefined ? undefined : room(fields.name, 'lobby');
      if (fields.private !== true) {
        if (name === undefined) throw new ProtocolError('BAD_ROOM', 'a public room needs a name; public rooms need no creation, so you may simply post to it');
        if (directory.isPrivate(name)) throw new ProtocolError('BAD_ROOM', `"${name}" is a private room; choose another name`);
        return one(request, 201, { name, private: false });
      }
      const members = new Map<string, Member>([[me.user, { user: me.user, nick: me.nick }]]);
      for (const member of current(people)) members.set(member.user, member);
      if (name !== undefined && directory.isPrivate(name)) throw new ProtocolError('ROOM_TAKEN', `there is a private room "${name}" already; choose another name or leave "name" out`);
      if (name !== undefined && directory.wasPublic(name)) throw new ProtocolError('ROOM_TAKEN', `"${name}" is or was a public room; choose another name for a private one`);
      const [other] = [...members.values()].filter((m) => m.user !== me.user);
      const existing = name === undefined && members.size === 2 && other !== undefined ? directory.direct(me.user, other.user) : undefined;
      if (existing !== undefined) return one(request, 200, existing);
      if (members.size > maxMembers) throw new ProtocolError('ROOM_FULL', `a private room has at most ${maxMembers} members; name fewer`);
      roomFor(members.values());
      if (directory.full) throw new ProtocolError('ROOM_LIMIT');
      return one(request, 201, directory.create(name, [...members.values()]));
    }

    return {
      manage(command) {
        const checked = attempt(command.request, () => manage(command));
        return 'error' in checked ? out.send('reply', checked.error) : out.send('listing', checked.value);
      },
      poll(command) {
        const checked = attempt(command.request, () => guard(command.request, command.room));
        if ('error' in checked) return out.send('reply', checked.error);
        directory.notePublic(command.room, false);
        return out.send('poll', command);
      },
      post(command) {
        const checked = attempt(command.request, () => {
          if (command.mustBePrivate && !directory.isPrivate(command.room)) throw noPrivateRoom(command.room);
          guard(command.request, command.room);
        });
        if ('error' in checked) return out.send('reply', checked.error);
        directory.notePublic(command.room, true);
        return out.send('post', command.mustBePrivate ? { ...command, mustBePrivate: false } : command);
      },
      users(query) {
        const checked = attempt(query.request, () => (query.kind === 'room' ? guard(query.request, query.room) : undefined));
        return 'error' in checked ? out.send('reply', checked.error) : out.send('users', query);
      },
      ended({ nick, user, guest, userGone }) {
        // A guest owns nothing beyond its session: a later guest of the same nick is someone else.
        if (guest) forget(directory.forget(user));
        if (userGone && out.isConnected('departed')) return out.send('departed', { nick });
        return undefined;
      },
      maxRooms(max) {
        directory.maxRooms = max;
      },
      maxMembers(max) {
        maxMembers = max;
      },
      maxMemberships(max) {
        maxMemberships = max;
      },
    };
  },
});

/** current keeps the people who are users now, and refuses a nick nobody holds (PROTOCOL.md: 404). */
function current(people: readonly Person[]): Member[] {
  return people.map(({ nick, user }) => {
    if (user === undefined) throw new ProtocolError('NOT_FOUND', `nobody is called "${nick}" now: invite people by the nick of an account or of someone signed in`);
    return { user, nick };
  });
}
