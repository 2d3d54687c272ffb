import { nanoid } from 'nanoid';
import { defineChatComponent } from '../src/app-context.ts';
import { ProtocolError } from '../src/protocol/errors.ts';
import { codePoints, jsonObject, nick, room, single, text } from '../src/protocol/fields.ts';
import type { ExternalIdentity, Person, RoomCommand, UserQuery } from '../src/protocol/membership.ts';
import { attempt, refusalOf, reply, type HttpRequest, type Reply, type SessionRef } from '../src/protocol/packets.ts';
import { identityPort, replyPort, requestPort, roomCommandPort, sessionEndPort, userQueryPort } from '../src/protocol/ports.ts';
import { booleanSetting, integerSetting } from '../src/runtime/port.ts';
import { SlidingWindow } from '../src/rate/sliding-window.ts';
import { hashPassword, verifyPassword } from '../src/sessions/password.ts';
import { profileOf, SessionStore, type Session, type User } from '../src/sessions/session-store.ts';
import { LOGIN_FAILURE_WINDOW_MS, pagePath, SESSION_RATE_WINDOW_MS } from '../src/settings.ts';

// RFC 7235: the scheme name is case-insensitive.
const BEARER = /^Bearer +([A-Za-z0-9_-]{1,128})$/i;
const SWEEP_MS = 30_000;
const PASSWORD = { min: 8, max: 128 };
// PROTOCOL.md: the code an external sign-in hands the page is valid 60 s and usable once.
const CODE_MS = 60_000;
const MAX_CODES = 10_000;

/** Session opens, edits and ends sessions and accounts, tells every request whose it is, and finds users. */
export default defineChatComponent({
  name: 'Session',
  description: 'Opens and ends sessions (bearer tokens) for guests and accounts, attaches the session to each request that carries a live token, and finds users',
  inPorts: {
    in: requestPort('Every request; a live bearer token attaches its session', true),
    manage: requestPort('GET, POST, PATCH and DELETE B/session, and POST B/accounts'),
    users: requestPort('GET B/users?room=, ?q= and B/users/NICK'),
    rooms: requestPort('Requests to B/rooms, whose named people are looked up'),
    external: identityPort('Who an OpenID Connect provider vouched for: their account, and a one-time code for the page to open a session with'),
    idleMs: integerSetting('Milliseconds without a request after which a guest\'s session expires (default 600000: 10 minutes)', 1_000, 86_400_000),
    maxSessions: integerSetting('Sessions at once (default 100000); beyond it 503 TOO_MANY_SESSIONS', 1, 10_000_000),
    guests: booleanSetting('Whether a nick alone opens a (guest) session (default true); false: accounts only'),
    maxFound: integerSetting('Users a search (GET B/users?q=) lists at most (default 20)', 1, 1_000),
  },
  outPorts: {
    out: requestPort('Every request, with its session when the token is live'),
    users: userQueryPort('User queries, with nicks and profiles filled in'),
    rooms: roomCommandPort('Requests to B/rooms, with the people they name found'),
    ended: sessionEndPort('Sessions that ended, and whether their user went too'),
    reply: replyPort('Answers to session requests; errors of user queries'),
  },
  create({ out, app, background }) {
    const sessions = new SessionStore(600_000, (session, userGone) => ended(session, userGone), app.now);
    const { sessionRateLimit, loginFailuresPerLogin, loginFailuresPerAddress } = app.settings;
    const opening = new SlidingWindow(sessionRateLimit, SESSION_RATE_WINDOW_MS, app.now);
    const failedLogins = new SlidingWindow(loginFailuresPerLogin, LOGIN_FAILURE_WINDOW_MS, app.now);
    const failedFrom = new SlidingWindow(loginFailuresPerAddress, LOGIN_FAILURE_WINDOW_MS, app.now);
    const codes = new Map<string, { readonly user: User; readonly expires: number }>();
    let guests = true;
    let maxFound = 20;
    let sweeper: NodeJS.Timeout | undefined;

    function ended(session: Session, userGone: boolean): void {
      const { nick, id, guest } = session.user;
      if (out.isConnected('ended')) void out.send('ended', { nick, user: id, guest, userGone });
    }

    function answer(request: HttpRequest, check: () => Reply | UserQuery): Promise<void> | undefined {
      const checked = attempt(request, check);
      if ('error' in checked) return out.send('reply', checked.error);
      const result = checked.value;
      return 'kind' in result ? out.send('users', result) : out.send('reply', result);
    }

    /** later answers a request once slow work (a password hash) is done, without holding the process meanwhile. */
    function later(request: HttpRequest, work: () => Promise<Reply | UserQuery>): void {
      const done = work().then(
        (result) => void ('kind' in result ? out.send('users', result) : out.send('reply', result)),
        (error: unknown) => void out.send('reply', refusalOf(request, error)),
      );
      background(done, request);
    }

    function opened(request: HttpRequest, session: Session | 'taken' | 'full', nick: string): Reply {
      if (session === 'taken') throw new ProtocolError('NICK_TAKEN', `the nick "${nick}" belongs to an account or to someone signed in; choose another nick`);
      if (session === 'full') throw new ProtocolError('TOO_MANY_SESSIONS', undefined, { 'retry-after': '60' });
      sweeper ??= setInterval(() => sessions.sweep(), Math.min(SWEEP_MS, sessions.idleMs)).unref();
      return reply(request, 201, { token: session.token, nick: session.user.nick, user: session.user.id, guest: session.user.guest });
    }

    /** limitOpening counts every attempt to open a session or an account from an address, refused ones included. */
    function limitOpening(request: HttpRequest): void {
      if (sessionRateLimit === 0) return;
      const waitMs = opening.take(request.clientAddress);
      if (waitMs > 0) throw rateLimited(`too many sessions opened from your address: at most ${sessionRateLimit} a minute`, waitMs);
    }

    function logIn(request: HttpRequest, fields: Record<string, unknown>): void {
      const { login, password } = fields;
      if (typeof login !== 'string' || typeof password !== 'string') throw new ProtocolError('BAD_CREDENTIALS');
      const waitMs = Math.max(failedLogins.wait(login), failedFrom.wait(request.clientAddress));
      if (waitMs > 0) throw rateLimited('too many failed log-ins for this login or from your address', waitMs);
      const account = sessions.account(login);
      later(request, async () => {
        if (!(await verifyPassword(password, account?.password)) || account === undefined) {
          failedLogins.record(login);
          failedFrom.record(request.clientAddress);
          throw new ProtocolError('BAD_CREDENTIALS');
        }
        return opened(request, sessions.openFor(account), login);
      });
    }

    function createAccount(request: HttpRequest): void {
      const fields = jsonObject(request.body);
      const login = nick(fields.login);
      const password = newPassword(fields.password);
      if (sessions.isTaken(login)) throw new ProtocolError('NICK_TAKEN', `the login "${login}" is taken; choose another`);
      later(request, async () => opened(request, sessions.createAccount(login, await hashPassword(password)), login));
    }

    function changePassword(request: HttpRequest, session: Session, change: unknown): void {
      if (session.user.guest) throw new ProtocolError('BAD_FIELD', 'a guest has no password; create an account with POST /accounts');
      if (typeof change !== 'object' || change === null || typeof (change as { old?: unknown }).old !== 'string') {
        throw new ProtocolError('BAD_FIELD', 'send "password": {"old": "…", "new": "…"}');
      }
      const { old, new: wanted } = change as { old: string; new: unknown };
      const password = newPassword(wanted);
      const { user } = session;
      later(request, async () => {
        if (!(await verifyPassword(old, user.password))) throw new ProtocolError('BAD_CREDENTIALS', 'the old password is wrong; nothing was changed');
        user.password = await hashPassword(password);
        sessions.closeOthers(session);
        return { request, kind: 'profile', profile: { ...profileOf(user), user: user.id, guest: false } };
      });
    }

    function manage(request: HttpRequest): Reply | UserQuery | undefined {
      if (request.method === 'POST') {
        limitOpening(request);
        if (request.path.endsWith('/accounts')) return void createAccount(request);
        const fields = jsonObject(request.body);
        if (fields.login !== undefined || fields.password !== undefined) return void logIn(request, fields);
        if (fields.code !== undefined) return redeem(request, fields.code);
        if (!guests) throw new ProtocolError('BAD_FIELD', 'this server has no guest sessions; log in with "login" and "password", or create an account with POST /accounts');
        const wanted = nick(fields.nick);
        return opened(request, sessions.openGuest(wanted), wanted);
      }
      const session = signedIn(request);
      if (request.method === 'DELETE') {
        sessions.close(session);
        return reply(request, 204, null);
      }
      const { user } = session;
      if (request.method === 'PATCH') {
        const fields = jsonObject(request.body);
        if (fields.password !== undefined) return void changePassword(request, session, fields.password);
        if (fields.status === undefined && fields.bio === undefined) {
          throw new ProtocolError('BAD_FIELD', 'send "status" (up to 64 characters), "bio" (up to 280), or both; null clears one; or "password": {"old", "new"}');
        }
        // Both are checked before either changes: a refused request changes nothing.
        const status = profileText(fields.status, user.status, 'status', 64, false);
        const bio = profileText(fields.bio, user.bio, 'bio', 280, true);
        user.status = status;
        user.bio = bio;
      }
      return { request, kind: 'profile', profile: { ...profileOf(user), user: user.id, guest: user.guest } };
    }

    /** redeem opens a session for the one-time code an external sign-in handed the page. */
    function redeem(request: HttpRequest, code: unknown): Reply {
      const granted = typeof code === 'string' ? codes.get(code) : undefined;
      if (typeof code === 'string') codes.delete(code);
      if (granted === undefined || granted.expires <= app.now()) throw new ProtocolError('BAD_CREDENTIALS', 'this sign-in code is unknown, expired or used; sign in again');
      return opened(request, sessions.openFor(granted.user), granted.user.nick);
    }

    /** grant hands a code for the account a provider vouched for, valid 60 s and once, and sends the browser to the page with it. */
    function grant({ request, issuer, subject, nick: wanted }: ExternalIdentity): Reply {
      const now = app.now();
      // Kept in the order they were handed out, so the expired ones are at the front.
      for (const [code, { expires }] of codes) {
        if (expires > now) break;
        codes.delete(code);
      }
      if (codes.size >= MAX_CODES) throw new ProtocolError('RATE_LIMITED', 'too many sign-ins are under way; try again in a minute', { 'retry-after': '60' });
      const code = nanoid();
      codes.set(code, { user: sessions.externalAccount(issuer, subject, wanted), expires: now + CODE_MS });
      return reply(request, 302, {}, { location: `${pagePath(app.settings.basePath)}?signin=${code}` });
    }

    function users(request: HttpRequest): UserQuery {
      if (request.params.nick !== undefined) {
        const found = sessions.find(nick(request.params.nick));
        if (found === undefined) throw new ProtocolError('NOT_FOUND', `no user is named "${request.params.nick}"`);
        return { request, kind: 'profile', profile: profileOf(found) };
      }
      const { q, room: roomName } = request.query;
      if (roomName !== undefined) return { request, kind: 'room', room: room(roomName, 'lobby') };
      const prefix = single(q, 'BAD_NICK');
      if (prefix === undefined) throw new ProtocolError('BAD_FIELD', 'send ?room=R to list who is in a room, or ?q=prefix to find users by nick');
      return { request, kind: 'search', nicks: sessions.nicksStartingWith(nick(prefix), maxFound) };
    }

    /** people finds who holds each nick a request to B/rooms names: `members` when creating, `nick` when inviting. */
    function people(request: HttpRequest): RoomCommand {
      if (request.method !== 'POST') return { request, people: [] };
      const fields = jsonObject(request.body);
      const inviting = request.path.replace(/\/$/, '').endsWith('/invite');
      if (!inviting && fields.members !== undefined && !Array.isArray(fields.members)) {
        throw new ProtocolError('BAD_FIELD', '"members" must be a list of nicks, like ["bob", "carol"]');
      }
      const nicks = inviting ? [nick(fields.nick)] : ((fields.members as unknown[] | undefined) ?? []).map((m) => nick(m, 'BAD_FIELD'));
      const found: Person[] = nicks.map((n) => ({ nick: n, user: sessions.find(n)?.id }));
      return { request, people: found };
    }

    function signedIn(request: HttpRequest): Session {
      const session = request.session === undefined ? undefined : sessions.live(request.session.token);
      if (session === undefined) throw new ProtocolError('NO_SESSION');
      return session;
    }

    return {
      in(request) {
        const header = request.headers.authorization;
        const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
        const session = token === undefined ? undefined : sessions.touch(token);
        if (session !== undefined) request.session = refOf(session);
        return out.send('out', request);
      },
      manage(request) {
        const checked = attempt(request, () => manage(request));
        if ('error' in checked) return out.send('reply', checked.error);
        const result = checked.value;
        if (result === undefined) return undefined; // answered later
        return 'kind' in result ? out.send('users', result) : out.send('reply', result);
      },
      users: (request) => answer(request, () => users(request)),
      external(identity) {
        const checked = attempt(identity.request, () => grant(identity));
        return out.send('reply', 'error' in checked ? checked.error : checked.value);
      },
      rooms(request) {
        const checked = attempt(request, () => people(request));
        return 'error' in checked ? out.send('reply', checked.error) : out.send('rooms', checked.value);
      },
      idleMs(ms) {
        sessions.idleMs = ms;
      },
      maxSessions(max) {
        sessions.maxSessions = max;
      },
      guests(allowed) {
        guests = allowed;
      },
      maxFound(max) {
        maxFound = max;
      },
      onStop() {
        clearInterval(sweeper);
        opening.clear();
        failedLogins.clear();
        failedFrom.clear();
        codes.clear();
      },
    };
  },
});

function refOf(session: Session): SessionRef {
  return { token: session.token, nick: session.user.nick, user: session.user.id, guest: session.user.guest };
}

function rateLimited(what: string, waitMs: number): ProtocolError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new ProtocolError('RATE_LIMITED', `${what}; try again in ${seconds} s`, { 'retry-after': String(seconds) });
}

/** newPassword checks a password to be set: 8 to 128 characters (code points, after NFC). */
function newPassword(value: unknown): string {
  if (typeof value !== 'string' || codePoints(value.normalize('NFC')) < PASSWORD.min || codePoints(value.normalize('NFC')) > PASSWORD.max) {
    throw new ProtocolError('BAD_PASSWORD', `password must be ${PASSWORD.min} to ${PASSWORD.max} characters`);
  }
  return value;
}

/**
 * profileText reads a PATCH B/session field: left out keeps `current`, null
 * clears it (as in a JSON merge patch; "" is refused, as every empty field is).
 */
function profileText(value: unknown, current: string, field: string, max: number, multiline: boolean): string {
  if (value === undefined) return current;
  if (value === null) return '';
  return text(value, field, 'BAD_FIELD', max, multiline);
}
