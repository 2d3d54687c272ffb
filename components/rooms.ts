import { defineChatComponent } from '../src/app-context.ts';
import { noPrivateRoom, ProtocolError } from '../src/protocol/errors.ts';
import { jsonObject, nick, room } from '../src/protocol/fields.ts';
import type { RoomInfo, RoomListing } from '../src/protocol/membership.ts';
import { attempt, type HttpRequest } from '../src/protocol/packets.ts';
import { departurePort, listingPort, pollPort, postPort, replyPort, requestPort, userQueryPort } from '../src/protocol/ports.ts';
import { integerSetting } from '../src/runtime/port.ts';
import { RoomDirectory } from '../src/rooms/room-directory.ts';

/** Rooms keeps private rooms and their members, and lets only members reach them. */
export default defineChatComponent({
  name: 'Rooms',
  description: 'Creates private rooms, invites and leaves, lists rooms, and stops non-members from polling, posting or listing users in a private room',
  inPorts: {
    manage: requestPort('GET and POST B/rooms, POST B/rooms/R/invite and B/rooms/R/leave'),
    poll: pollPort('Checked polls'),
    post: postPort('Checked posts'),
    users: userQueryPort('User queries'),
    maxRooms: integerSetting('Private rooms at once (default 10000)', 1, 1_000_000),
  },
  outPorts: {
    poll: pollPort('Polls the caller may make'),
    post: postPort('Posts the caller may make'),
    users: userQueryPort('User queries the caller may make'),
    listing: listingPort('Room listings and answers about one room, to be completed with who is online and the last ids'),
    departed: departurePort('Users who left a room'),
    reply: replyPort('Refusals: 401, 403, 404, 400'),
  },
  create({ out }) {
    const directory = new RoomDirectory(10_000);

    /** guard lets a request reach a private room only with a session of a member. */
    function guard(request: HttpRequest, name: string): void {
      if (!directory.isPrivate(name)) return;
      if (request.session === undefined) throw new ProtocolError('NO_SESSION', `"${name}" is a private room; open a session and send its token as "Authorization: Bearer <token>"`);
      if (!directory.isMember(name, request.session.nick)) throw new ProtocolError('NOT_A_MEMBER', `you are not a member of the private room "${name}"; ask a member to invite you`);
    }

    function one(request: HttpRequest, status: number, info: RoomInfo): RoomListing {
      return { request, kind: 'one', status, rooms: [{ ...info }], hidden: directory.privateNames };
    }

    function manage(request: HttpRequest): RoomListing {
      if (request.method === 'GET') {
        return { request, kind: 'list', status: 200, rooms: directory.privateOf(request.session?.nick), hidden: directory.privateNames };
      }
      const me = request.session?.nick;
      if (me === undefined) throw new ProtocolError('NO_SESSION');
      const action = request.params.room === undefined ? 'create' : request.path.replace(/\/$/, '').split('/').at(-1);
      if (action === 'create') return create(request, me, jsonObject(request.body));
      const name = room(request.params.room, 'lobby');
      if (action === 'leave') {
        guard(request, name);
        if (out.isConnected('departed')) void out.send('departed', { nick: me, room: name });
        return one(request, 200, directory.leave(name, me) ?? { name, private: false });
      }
      if (!directory.isPrivate(name)) throw new ProtocolError('NOT_FOUND', `there is no private room "${name}"; public rooms need no invitation`);
      guard(request, name);
      return one(request, 200, directory.invite(name, nick(jsonObject(request.body).nick)) as RoomInfo);
    }

    function create(request: HttpRequest, me: string, fields: Record<string, unknown>): RoomListing {
      if (fields.private !== undefined && typeof fields.private !== 'boolean') throw new ProtocolError('BAD_FIELD', '"private" must be true or false');
      const name = fields.name === undefined ? undefined : room(fields.name, 'lobby');
      if (fields.members !== undefined && !Array.isArray(fields.members)) throw new ProtocolError('BAD_FIELD', '"members" must be a list of nicks, like ["bob", "carol"]');
      const members = new Set([me, ...((fields.members as unknown[] | undefined) ?? []).map((m) => nick(m, 'BAD_FIELD'))]);
      if (fields.private !== true) {
        if (name === undefined) throw new ProtocolError('BAD_ROOM', 'a public room needs a name; public rooms need no creation, so you may simply post to it');
        if (directory.isPrivate(name)) throw new ProtocolError('BAD_ROOM', `"${name}" is a private room; choose another name`);
        return one(request, 201, { name, private: false });
      }
      if (name !== undefined && directory.isTaken(name)) throw new ProtocolError('BAD_ROOM', `the room "${name}" already exists; choose another name or leave "name" out`);
      const [other] = [...members].filter((m) => m !== me);
      const existing = name === undefined && members.size === 2 && other !== undefined ? directory.direct(me, other) : undefined;
      if (existing !== undefined) return one(request, 200, existing);
      if (directory.full) throw new ProtocolError('ROOM_LIMIT');
      return one(request, 201, directory.create(name, members));
    }

    return {
      manage(request) {
        const checked = attempt(request, () => manage(request));
        return 'error' in checked ? out.send('reply', checked.error) : out.send('listing', checked.value);
      },
      poll(command) {
        const checked = attempt(command.request, () => guard(command.request, command.room));
        if ('error' in checked) return out.send('reply', checked.error);
        directory.notePublic(command.room);
        return out.send('poll', command);
      },
      post(command) {
        const checked = attempt(command.request, () => {
          if (command.mustBePrivate && !directory.isPrivate(command.room)) throw noPrivateRoom(command.room);
          guard(command.request, command.room);
        });
        if ('error' in checked) return out.send('reply', checked.error);
        directory.notePublic(command.room);
        return out.send('post', command.mustBePrivate ? { ...command, mustBePrivate: false } : command);
      },
      users(query) {
        const checked = attempt(query.request, () => (query.kind === 'room' ? guard(query.request, query.room) : undefined));
        return 'error' in checked ? out.send('reply', checked.error) : out.send('users', query);
      },
      maxRooms(max) {
        directory.maxRooms = max;
      },
    };
  },
});
