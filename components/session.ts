import { defineChatComponent } from '../src/app/app-context.ts';
import { ProtocolError } from '../src/protocol/errors.ts';
import { codePoints, jsonObject, nick, room, single, text } from '../src/protocol/fields.ts';
import type { ExternalIdentity, Person, RoomCommand, SessionEnd, UserQuery } from '../src/protocol/membership.ts';
import { refusalOf, reply, type HttpRequest, type Reply, type SessionRef } from '../src/protocol/packets.ts';
import { identityPort, replyPort, requestPort, roomCommandPort, sessionEndPort, userQueryPort } from '../src/protocol/ports.ts';
import { booleanSetting, integerSetting } from '../src/runtime/port.ts';
import { hashPassword, verifyPassword } from '../src/sessions/password.ts';
import { profileOf, type Opened, type Session, type User } from '../src/sessions/session-store.ts';
import { LOGIN_FAILURE_WINDOW_MS, pagePath, SESSION_RATE_WINDOW_MS } from '../src/app/settings.ts';

// RFC 7235: the scheme name is case-insensitive.
const BEARER = /^Bearer +([A-Za-z0-9_-]{1,128})$/i;
const SWEEP_MS = 30_000;
const PASSWORD = { min: 8, max: 128 };
// PROTOCOL.md: the code an external sign-in hands the page is valid 60 s and usable once.
const CODE_MS = 60_000;
const MAX_CODES = 10_000;

/** The settings Session takes as initial packets, with their defaults. */
const settings = {
  idleMs: integerSetting('a guest\'s session expires after this many ms without a request carrying its token (10 minutes); an account\'s after 30 days', 1_000, 86_400_000, 600_000),
  maxSessions: integerSetting('sessions at once; beyond it 503 `TOO_MANY_SESSIONS`', 1, 10_000_000, 100_000),
  guests: booleanSetting('whether a nick alone opens a (guest) session; `false`: accounts only (`POST B/session {"nick"}` is then 400 `BAD_FIELD`)', true),
  maxFound: integerSetting('users a search (`B/users?q=`) lists at most', 1, 1_000, 20),
  openingsPerMinute: integerSetting('sessions and accounts opened per client address per minute, every `POST B/session` and `POST B/accounts` counting (log-ins and refused attempts too); beyond it 429 `RATE_LIMITED`; `0` switches the limit off', 0, 1_000_000, 10),
  loginFailuresPerLogin: integerSetting('failed log-ins for one login within 15 minutes, after which its log-ins get 429 `RATE_LIMITED` until the failures are 15 minutes old', 1, 1_000_000, 10),
  loginFailuresPerAddress: integerSetting('the same, for failed log-ins from one client address', 1, 1_000_000, 30),
};

/**
 * Session opens, edits and ends sessions and accounts, tells every request
 * whose it is, and finds users. Its identities live in the application's
 * session store (memory, or Redis shared by every node).
 */
export default defineChatComponent({
  name: 'Session',
  description: 'Opens and ends sessions (bearer tokens) for guests and accounts, attaches the session to each request that carries a live token, and finds users',
  inPorts: {
    in: requestPort('Every request; a live bearer token attaches its session', true),
    manage: requestPort('GET, POST, PATCH and DELETE B/session, and POST B/accounts'),
    users: requestPort('GET B/users?room=, ?q= and B/users/NICK'),
    rooms: requestPort('Requests to B/rooms, whose named people are looked up'),
    external: identityPort('Who an OpenID Connect provider vouched for: their account, and a one-time code for the page to open a session with'),
    ...settings,
  },
  outPorts: {
    out: requestPort('Every request, with its session when the token is live'),
    users: userQueryPort('User queries, with nicks and profiles filled in'),
    rooms: roomCommandPort('Requests to B/rooms, with the people they name found'),
    ended: sessionEndPort('Sessions that ended, and whether their user went too'),
    reply: replyPort('Answers to session requests; errors of user queries'),
  },
  leadsTo: { in: ['out', 'reply'], manage: ['reply', 'users'], users: ['users', 'reply'], rooms: ['rooms', 'reply'], external: ['reply'] },
  create({ out, app, background }) {
    const sessions = app.stores.sessions;
    const opening = app.stores.rateWindow('session-opening', settings.openingsPerMinute.default, SESSION_RATE_WINDOW_MS);
    const failedLogins = app.stores.rateWindow('login-failures', settings.loginFailuresPerLogin.default, LOGIN_FAILURE_WINDOW_MS);
    const failedFrom = app.stores.rateWindow('login-failures-from', settings.loginFailuresPerAddress.default, LOGIN_FAILURE_WINDOW_MS);
    let idleMs = settings.idleMs.default;
    let guests = settings.guests.default;
    let maxFound = settings.maxFound.default;
    let sweeper: NodeJS.Timeout | undefined;
    const unsubscribe = sessions.subscribe(ended);

    function ended({ nick, user, guest, userGone }: SessionEnd): void {
      if (out.isConnected('ended')) void out.send('ended', { nick, user, guest, userGone });
    }

    /**
     * later answers a request once the store has: the process goes on with
     * the next packet meanwhile. A refusal (ProtocolError, a store that
     * cannot be reached) is answered; any other error fails the process (500).
     */
    function later(request: HttpRequest, work: () => Promise<Reply | UserQuery | undefined>): undefined {
      const done = work().then(
        (result) => {
          if (result === undefined) return undefined;
          return 'kind' in result ? out.send('users', result) : out.send('reply', result);
        },
        (error: unknown) => out.send('reply', refusalOf(request, error)),
      );
      background(done, request);
      return undefined;
    }

    function opened(request: HttpRequest, session: Opened, nickName: string): Reply {
      if (session === 'taken') throw new ProtocolError('NICK_TAKEN', `the nick "${nickName}" belongs to an account or to someone signed in; choose another nick`);
      if (session === 'full') throw new ProtocolError('TOO_MANY_SESSIONS', undefined, { 'retry-after': '60' });
      sweeper ??= setInterval(sweep, Math.min(SWEEP_MS, idleMs)).unref();
      return reply(request, 201, { token: session.token, nick: session.user.nick, user: session.user.id, guest: session.user.guest });
    }

    function sweep(): void {
      // A store that cannot be reached now is swept next time.
      const swept = sessions.sweep();
      if (swept instanceof Promise) swept.catch(() => undefined);
    }

    /** limitOpening counts every attempt to open a session or an account from an address, refused ones included. */
    async function limitOpening(request: HttpRequest): Promise<void> {
      if (opening.limit === 0) return;
      const waitMs = await opening.take(request.clientAddress);
      if (waitMs > 0) throw rateLimited(`too many sessions opened from your address: at most ${opening.limit} a minute`, waitMs);
    }

    async function logIn(request: HttpRequest, fields: Record<string, unknown>): Promise<Reply> {
      const { login, password } = fields;
      if (typeof login !== 'string' || typeof password !== 'string') throw new ProtocolError('BAD_CREDENTIALS');
      const waitMs = Math.max(await failedLogins.wait(login), await failedFrom.wait(request.clientAddress));
      if (waitMs > 0) throw rateLimited('too many failed log-ins for this login or from your address', waitMs);
      const account = await sessions.credentials(login);
      if (!(await verifyPassword(password, account?.password)) || account === undefined) {
        await Promise.all([failedLogins.record(login), failedFrom.record(request.clientAddress)]);
        throw new ProtocolError('BAD_CREDENTIALS');
      }
      return opened(request, await sessions.openFor(account.user), login);
    }

    async function createAccount(request: HttpRequest): Promise<Reply> {
      const fields = jsonObject(request.body);
      const login = nick(fields.login);
      const password = newPassword(fields.password);
      if (await sessions.isTaken(login)) throw new ProtocolError('NICK_TAKEN', `the login "${login}" is taken; choose another`);
      return opened(request, await sessions.createAccount(login, await hashPassword(password)), login);
    }

    async function changePassword(request: HttpRequest, session: Session, change: unknown): Promise<UserQuery> {
      if (session.user.guest) throw new ProtocolError('BAD_FIELD', 'a guest has no password; create an account with POST /accounts');
      if (typeof change !== 'object' || change === null || typeof (change as { old?: unknown }).old !== 'string') {
        throw new ProtocolError('BAD_FIELD', 'send "password": {"old": "…", "new": "…"}');
      }
      const { old, new: wanted } = change as { old: string; new: unknown };
      const password = newPassword(wanted);
      const { user } = session;
      const account = await sessions.credentials(user.nick);
      if (!(await verifyPassword(old, account?.password))) throw new ProtocolError('BAD_CREDENTIALS', 'the old password is wrong; nothing was changed');
      await sessions.setPassword(user, await hashPassword(password));
      await sessions.closeOthers(session);
      return { request, kind: 'profile', profile: { ...profileOf(user), user: user.id, guest: false } };
    }

    async function manage(request: HttpRequest): Promise<Reply | UserQuery | undefined> {
      if (request.method === 'POST') {
        await limitOpening(request);
        if (request.path.endsWith('/accounts')) return createAccount(request);
        const fields = jsonObject(request.body);
        if (fields.login !== undefined || fields.password !== undefined) return logIn(request, fields);
        if (fields.code !== undefined) return redeem(request, fields.code);
        if (!guests) throw new ProtocolError('BAD_FIELD', 'this server has no guest sessions; log in with "login" and "password", or create an account with POST /accounts');
        const wanted = nick(fields.nick);
        return opened(request, await sessions.openGuest(wanted), wanted);
      }
      const session = await signedIn(request);
      if (request.method === 'DELETE') {
        await sessions.close(session);
        return reply(request, 204, null);
      }
      let { user } = session;
      if (request.method === 'PATCH') {
        const fields = jsonObject(request.body);
        if (fields.password !== undefined) return changePassword(request, session, fields.password);
        if (fields.status === undefined && fields.bio === undefined) {
          throw new ProtocolError('BAD_FIELD', 'send "status" (up to 64 characters), "bio" (up to 280), or both; null clears one; or "password": {"old", "new"}');
        }
        // Both are checked before either changes: a refused request changes nothing.
        const status = profileText(fields.status, user.status, 'status', 64, false);
        const bio = profileText(fields.bio, user.bio, 'bio', 280, true);
        user = await sessions.editProfile(user, { status, bio });
      }
      return { request, kind: 'profile', profile: { ...profileOf(user), user: user.id, guest: user.guest } };
    }

    /** redeem opens a session for the one-time code an external sign-in handed the page. */
    async function redeem(request: HttpRequest, code: unknown): Promise<Reply> {
      const user = typeof code === 'string' ? await sessions.redeem(code) : undefined;
      if (user === undefined) throw new ProtocolError('BAD_CREDENTIALS', 'this sign-in code is unknown, expired or used; sign in again');
      return opened(request, await sessions.openFor(user), user.nick);
    }

    /** grant hands a code for the account a provider vouched for, valid 60 s and once, and sends the browser to the page with it. */
    async function grant({ request, issuer, subject, nick: wanted }: ExternalIdentity): Promise<Reply> {
      const user = await sessions.externalAccount(issuer, subject, wanted);
      const code = await sessions.grant(user, CODE_MS, MAX_CODES);
      if (code === 'full') throw new ProtocolError('RATE_LIMITED', 'too many sign-ins are under way; try again in a minute', { 'retry-after': '60' });
      return reply(request, 302, {}, { location: `${pagePath(app.settings.basePath)}?signin=${code}` });
    }

    async function users(request: HttpRequest): Promise<UserQuery> {
      if (request.params.nick !== undefined) {
        const found = await sessions.find(nick(request.params.nick));
        if (found === undefined) throw new ProtocolError('NOT_FOUND', `no user is named "${request.params.nick}"`);
        return { request, kind: 'profile', profile: profileOf(found) };
      }
      const { q, room: roomName } = request.query;
      if (roomName !== undefined) return { request, kind: 'room', room: room(roomName, 'lobby') };
      const prefix = single(q, 'BAD_NICK');
      if (prefix === undefined) throw new ProtocolError('BAD_FIELD', 'send ?room=R to list who is in a room, or ?q=prefix to find users by nick');
      return { request, kind: 'search', nicks: await sessions.nicksStartingWith(nick(prefix), maxFound) };
    }

    /** people finds who holds each nick a request to B/rooms names: `members` when creating, `nick` when inviting. */
    async function people(request: HttpRequest): Promise<RoomCommand> {
      const path = request.path.replace(/\/$/, '');
      // A leave names nobody, and PROTOCOL.md gives it no body: one sent without a body is as good.
      if (request.method !== 'POST' || path.endsWith('/leave')) return { request, people: [] };
      const fields = jsonObject(request.body);
      const inviting = path.endsWith('/invite');
      if (!inviting && fields.members !== undefined && !Array.isArray(fields.members)) {
        throw new ProtocolError('BAD_FIELD', '"members" must be a list of nicks, like ["bob", "carol"]');
      }
      const nicks = inviting ? [nick(fields.nick)] : ((fields.members as unknown[] | undefined) ?? []).map((m) => nick(m, 'BAD_FIELD'));
      const found: Person[] = await Promise.all(nicks.map(async (n) => ({ nick: n, user: (await sessions.find(n))?.id })));
      return { request, people: found };
    }

    async function signedIn(request: HttpRequest): Promise<Session> {
      const session = request.session === undefined ? undefined : await sessions.live(request.session.token);
      if (session === undefined) throw new ProtocolError('NO_SESSION');
      return session;
    }

    /** pass sends a request on with the session its token names, if that is live. */
    function pass(request: HttpRequest, session: Session | undefined): Promise<void> | undefined {
      if (session !== undefined) request.session = refOf(session);
      return out.send('out', request);
    }

    return {
      in(request) {
        const header = request.headers.authorization;
        const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
        if (token === undefined) return out.send('out', request);
        const session = sessions.touch(token);
        if (!(session instanceof Promise)) return pass(request, session);
        background(session.then((found) => pass(request, found), (error: unknown) => out.send('reply', refusalOf(request, error))), request);
        return undefined;
      },
      manage: (request) => later(request, () => manage(request)),
      users: (request) => later(request, () => users(request)),
      external: (identity) => later(identity.request, () => grant(identity)),
      rooms(request) {
        const done = people(request).then(
          (command) => out.send('rooms', command),
          (error: unknown) => out.send('reply', refusalOf(request, error)),
        );
        background(done, request);
      },
      idleMs(ms) {
        idleMs = ms;
        sessions.configure({ idleMs: ms });
      },
      maxSessions(max) {
        sessions.configure({ maxSessions: max });
      },
      guests(allowed) {
        guests = allowed;
      },
      maxFound(max) {
        maxFound = max;
      },
      openingsPerMinute(max) {
        opening.limit = max;
      },
      loginFailuresPerLogin(max) {
        failedLogins.limit = max;
      },
      loginFailuresPerAddress(max) {
        failedFrom.limit = max;
      },
      onStop() {
        clearInterval(sweeper);
        unsubscribe();
        opening.clear();
        failedLogins.clear();
        failedFrom.clear();
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
