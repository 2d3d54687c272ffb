import { defineChatComponent } from '../src/app-context.ts';
import { ProtocolError } from '../src/protocol/errors.ts';
import { jsonObject, nick, room, single, text } from '../src/protocol/fields.ts';
import type { UserQuery } from '../src/protocol/membership.ts';
import { attempt, reply, type HttpRequest, type Reply } from '../src/protocol/packets.ts';
import { departurePort, replyPort, requestPort, userQueryPort } from '../src/protocol/ports.ts';
import { integerSetting } from '../src/runtime/port.ts';
import { profileOf, SessionStore, type Session } from '../src/sessions/session-store.ts';

const BEARER = /^Bearer +([A-Za-z0-9_-]{1,128})$/;
const SEARCH_LIMIT = 50;
const SWEEP_MS = 30_000;

/** Session opens, edits and ends sessions, and tells every request whose it is. */
export default defineChatComponent({
  name: 'Session',
  description: 'Opens and ends sessions (bearer tokens), attaches the session to each request that carries a live token, and finds users',
  inPorts: {
    in: requestPort('Every request; a live bearer token attaches its session', true),
    manage: requestPort('GET, POST, PATCH and DELETE B/session'),
    users: requestPort('GET B/users?room=, ?q= and B/users/NICK'),
    idleMs: integerSetting('Milliseconds without a request after which a session expires (default 600000: 10 minutes)', 1_000, 86_400_000),
    maxSessions: integerSetting('Sessions at once (default 100000); beyond it 503 TOO_MANY_SESSIONS', 1, 10_000_000),
  },
  outPorts: {
    out: requestPort('Every request, with its session when the token is live'),
    users: userQueryPort('User queries, with nicks and profiles filled in'),
    departed: departurePort('Users whose session ended'),
    reply: replyPort('Answers to session requests; errors of user queries'),
  },
  create({ out, app }) {
    const sessions = new SessionStore(600_000, (ended) => depart(ended), app.now);
    let sweeper: NodeJS.Timeout | undefined;

    function depart(ended: Session): void {
      if (out.isConnected('departed')) void out.send('departed', { nick: ended.nick });
    }

    function answer(request: HttpRequest, check: () => Reply | UserQuery): Promise<void> | undefined {
      const checked = attempt(request, check);
      if ('error' in checked) return out.send('reply', checked.error);
      const result = checked.value;
      return 'kind' in result ? out.send('users', result) : out.send('reply', result);
    }

    function manage(request: HttpRequest): Reply | UserQuery {
      if (request.method === 'POST') {
        const wanted = nick(jsonObject(request.body).nick);
        const opened = sessions.open(wanted);
        if (opened === 'taken') throw new ProtocolError('NICK_TAKEN', `the nick "${wanted}" is in use by an active session; choose another nick`);
        if (opened === 'full') throw new ProtocolError('TOO_MANY_SESSIONS', undefined, { 'retry-after': '60' });
        sweeper ??= setInterval(() => sessions.sweep(), Math.min(SWEEP_MS, sessions.idleMs)).unref();
        return reply(request, 201, { token: opened.token, nick: opened.nick });
      }
      const session = signedIn(request);
      if (request.method === 'DELETE') {
        sessions.close(session);
        depart(session);
        return reply(request, 204, null);
      }
      if (request.method === 'PATCH') {
        const fields = jsonObject(request.body);
        if (fields.status === undefined && fields.bio === undefined) {
          throw new ProtocolError('BAD_FIELD', 'send "status" (up to 64 characters), "bio" (up to 280), or both; null clears one');
        }
        // Both are checked before either changes: a refused request changes nothing.
        const status = profileText(fields.status, session.status, 'status', 64, false);
        const bio = profileText(fields.bio, session.bio, 'bio', 280, true);
        session.status = status;
        session.bio = bio;
      }
      return { request, kind: 'profile', profile: profileOf(session) };
    }

    function users(request: HttpRequest): UserQuery {
      if (request.params.nick !== undefined) {
        const found = sessions.find(nick(request.params.nick));
        if (found === undefined) throw new ProtocolError('NOT_FOUND', `no active user is named "${request.params.nick}"`);
        return { request, kind: 'profile', profile: profileOf(found) };
      }
      const { q, room: roomName } = request.query;
      if (roomName !== undefined) return { request, kind: 'room', room: room(roomName, 'lobby') };
      const prefix = single(q, 'BAD_NICK');
      if (prefix === undefined) throw new ProtocolError('BAD_FIELD', 'send ?room=R to list who is in a room, or ?q=prefix to find users by nick');
      return { request, kind: 'search', nicks: sessions.nicksStartingWith(nick(prefix), SEARCH_LIMIT) };
    }

    function signedIn(request: HttpRequest): Session {
      const session = request.session === undefined ? undefined : sessions.find(request.session.nick);
      if (session === undefined || session.token !== request.session?.token) throw new ProtocolError('NO_SESSION');
      return session;
    }

    return {
      in(request) {
        const header = request.headers.authorization;
        const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
        if (token !== undefined) request.session = sessions.touch(token);
        return out.send('out', request);
      },
      manage: (request) => answer(request, () => manage(request)),
      users: (request) => answer(request, () => users(request)),
      idleMs(ms) {
        sessions.idleMs = ms;
      },
      maxSessions(max) {
        sessions.maxSessions = max;
      },
      onStop() {
        clearInterval(sweeper);
      },
    };
  },
});

/**
 * profileText reads a PATCH B/session field: left out keeps `current`, null
 * clears it (as in a JSON merge patch; "" is refused, as every empty field is).
 */
function profileText(value: unknown, current: string, field: string, max: number, multiline: boolean): string {
  if (value === undefined) return current;
  if (value === null) return '';
  return text(value, field, 'BAD_FIELD', max, multiline);
}
