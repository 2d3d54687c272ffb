import { createAvatar } from './avatar.js';
import { createClient } from './client.js';
import { wireComposer } from './composer.js';
import { describeError } from './errors.js';
import { createLogView } from './log-view.js';
import { wireMenu } from './menu.js';
import { askNick } from './nick-dialog.js';
import { createOutbox } from './outbox.js';
import { createPoller } from './poller.js';
import { createProfileDialog } from './profile-dialog.js';
import { createRoomBar } from './room-bar.js';
import { wireRoomForm } from './room-form.js';
import { createRoomList } from './room-list.js';
import { LOBBY, roomTitle } from './room-name.js';
import { createSeen } from './seen.js';
import { createSession } from './session.js';
import { readSettings } from './settings.js';
import { createStatusView } from './status-view.js';
import { createUserList } from './user-list.js';
import { wireUserSearch } from './user-search.js';

// Relative, so the page works wherever it is served: /gochat/ behind nginx
// or straight from the backend; the API is `chat` beside the page.
const ENDPOINT = 'chat';
// After a post, the room list is asked again this much later: one listing
// for a burst of messages.
const ROOMS_AFTER_POST_MS = 500;

const $ = (id) => document.getElementById(id);
const settings = readSettings(location.search);
let room = settings.room;
// Whether the open room was private when last listed: after a restart the
// server no longer lists it, but the page must still know to leave it.
let roomIsPrivate = false;
let epoch = null;
let live = false;
let unreadTotal = 0;

const log = createLogView({ log: $('log'), unread: $('unread') });
const status = createStatusView({ element: $('state'), retry: $('reconnect'), announce: $('state-announce') });
const text = $('text');
const seen = createSeen();
const nickDialog = { dialog: $('nick-dialog'), form: $('nick-form'), input: $('nick'), passwordInput: $('password'), error: $('nick-error'), note: $('nick-reason') };

const session = createSession({
  endpoint: ENDPOINT,
  chooseNick: (options) => askNick({ ...nickDialog, ...options }),
  onChange: useSession,
  // Shown until the next poll answers under the new session: the only sign
  // a person gets of the server having forgotten them.
  onRenewing: () => {
    status.reconnecting(Date.now());
    // Out of a private room before the new session polls it: if the server
    // forgot the room, a poll there would make this user present in a public
    // room of that name (and the outbox renews sessions before the poller
    // can learn of a restart).
    if (!roomIsPrivate) return;
    enterRoom(LOBBY);
    notice('The chat server no longer knows this session: it restarted and forgot its private rooms, or the session expired; here is the lobby.');
  },
});
const client = createClient({ endpoint: ENDPOINT, session });
const me = () => session.nick;
const call = (path, options) => client.call(path, options);
const roomPath = (name, action) => `/rooms/${encodeURIComponent(name)}/${action}`;

const poller = createPoller({
  fetchAnswer: (query, options) => call('', { query, needsSession: false, ...options }),
  room,
  holdSeconds: settings.holdSeconds,
  pageSize: settings.pageSize,
  backoff: settings.backoff,
  onLive() {
    status.live();
    if (!live) {
      outbox.flush();
      session.ensure();
    }
    live = true;
  },
  onRetry({ at, error }) {
    live = false;
    if (error?.code === 'NOT_A_MEMBER' && room !== LOBBY) {
      const refused = room;
      enterRoom(LOBBY);
      notice(`You are not a member of ${refused} (any more); here is the lobby.`);
      return;
    }
    if (navigator.onLine === false) status.offline(at);
    else status.reconnecting(at);
  },
  onAnswer({ room: answered, epoch: answerEpoch, messages, reset, truncated, more, seq }) {
    if (answerEpoch !== epoch) useEpoch(answerEpoch);
    // useEpoch may have moved the page out of a private room the server forgot.
    if (answered !== room) return;
    if (reset) {
      if ($('log').childElementCount > 0) notice('The chat server lost its history (it restarted); showing what it has now.');
      log.clear();
    }
    if (truncated) notice('Some messages were dropped by the server before this page could show them.');
    const mine = outbox.confirm(messages);
    log.add(messages, { follow: mine });
    seen.read(answered, messages);
    if (messages.some((message) => message.type === 'join' || message.type === 'leave')) users.changed();
    if (!more) outbox.caughtUp(seq, answered);
  },
});

const outbox = createOutbox({
  list: $('outbox'),
  // The author is named although the session implies it: a graph with open
  // posting treats a token it no longer knows as no session, and then needs it.
  post: async (fields, options) => {
    await session.ready();
    return call('', { method: 'POST', body: { ...fields, author: session.nick }, ...options });
  },
  currentRoom: () => room,
  currentIsPrivate: () => roomIsPrivate,
  backoff: settings.backoff,
  pollSeq: () => poller.seq,
  onSettled: () => text.focus(),
  onAccepted: () => refreshRoomsSoon(),
});

const rooms = createRoomList({
  element: $('rooms'),
  listRooms: () => call('/rooms', { needsSession: false }),
  seen,
  me,
  everyMs: settings.roomsEveryMs,
  onSelect: (name) => enterRoom(name),
  onTotal(total) {
    unreadTotal = total;
    $('menu-unread').textContent = String(total);
    $('menu-unread').hidden = total === 0;
    $('menu').setAttribute('aria-label', total === 0 ? 'Rooms' : `Rooms, ${total} unread`);
    showTitle();
  },
  onListed() {
    const info = rooms.info(room);
    if (info !== undefined) roomIsPrivate = info.private === true;
    roomBar.show(currentInfo());
  },
});

const users = createUserList({
  element: $('users'),
  count: $('users-count'),
  listUsers: (name) => call('/users', { query: new URLSearchParams({ room: name }), needsSession: false }),
  me,
  everyMs: settings.usersEveryMs,
  onOpen: (nick) => profile.openUser(nick),
});

const roomBar = createRoomBar({
  elements: {
    mark: $('room-mark'),
    title: $('room-title'),
    members: $('room-members'),
    inviteForm: $('invite'),
    inviteNick: $('invite-nick'),
    hint: $('room-hint'),
    leaveButton: $('leave-room'),
  },
  invite: (name, nick) => call(roomPath(name, 'invite'), { method: 'POST', body: { nick } }),
  me,
  onInvited: (info) => rooms.add(info),
  onLeave: leaveRoom,
});

const profile = createProfileDialog({
  elements: {
    dialog: $('profile'),
    avatar: $('profile-avatar'),
    nick: $('profile-nick'),
    online: $('profile-online'),
    view: $('profile-view'),
    statusText: $('profile-status-text'),
    bioText: $('profile-bio-text'),
    form: $('profile-form'),
    status: $('profile-status'),
    bio: $('profile-bio'),
    error: $('profile-error'),
    message: $('profile-message'),
    direct: $('profile-direct'),
    changeNick: $('change-nick'),
    signOut: $('sign-out'),
    passwordForm: $('password-form'),
    oldPassword: $('old-password'),
    newPassword: $('new-password'),
    close: $('profile-close'),
  },
  api: {
    mine: () => call('/session'),
    user: (nick) => call(`/users/${encodeURIComponent(nick)}`, { needsSession: false }),
    save: (fields) => call('/session', { method: 'PATCH', body: fields }),
  },
  me,
  isGuest: () => session.guest,
  onDirect: startDirect,
  onChangeNick: changeNick,
  onChangePassword: (old, wanted) => session.changePassword(old, wanted),
  onSignOut: () => session.signOut(),
});

const search = wireUserSearch({
  input: $('user-search'),
  results: $('user-results'),
  status: $('user-search-status'),
  findUsers: (prefix) => call('/users', { query: new URLSearchParams({ q: prefix }), needsSession: false }),
  me,
  onDirect: startDirect,
  onProfile: (nick) => profile.openUser(nick),
});

const menu = wireMenu({ toggle: $('menu'), panel: $('sidebar'), backdrop: $('backdrop') });

wireRoomForm({
  form: $('new-room'),
  name: $('new-room-name'),
  isPrivate: $('new-room-private'),
  error: $('new-room-error'),
  create: (fields) => call('/rooms', { method: 'POST', body: fields }),
  onOpen: (name) => enterRoom(name),
  onCreated: (info) => enterRoom(info.name, info),
});

wireComposer({
  form: $('compose'),
  text,
  hint: $('compose-hint'),
  onSend: (value) => outbox.send(value),
});

function currentInfo() {
  return rooms.info(room) ?? { name: room, private: false };
}

/** enterRoom shows another room: its log, its people, and sends there. */
function enterRoom(name, info) {
  menu.close();
  if (info !== undefined) rooms.add(info);
  if (name !== room) {
    room = name;
    roomIsPrivate = rooms.info(name)?.private === true;
    log.clear();
    $('notice').hidden = true;
    outbox.showRoom(name);
    poller.setRoom(name);
    users.setRoom(name);
    rooms.setCurrent(name);
    rooms.refresh();
    const url = new URL(location.href);
    if (name === LOBBY) url.searchParams.delete('room');
    else url.searchParams.set('room', name);
    history.replaceState(null, '', url);
  }
  roomBar.show(currentInfo());
  showTitle();
  text.focus();
}

async function startDirect(nick) {
  try {
    const { room: info } = await call('/rooms', { method: 'POST', body: { private: true, members: [nick] } });
    search.clear();
    enterRoom(info.name, info);
  } catch (error) {
    notice(`No conversation with ${nick}: ${describeError(error)}`);
  }
}

// The poll moves to the lobby first: a poll still held in the room being
// left would make the server see its author present there again.
async function leaveRoom(name) {
  enterRoom(LOBBY);
  try {
    await call(roomPath(name, 'leave'), { method: 'POST', body: {} });
  } catch (error) {
    if (error.code !== 'NOT_A_MEMBER') notice(`Leaving ${name} failed: ${describeError(error)}`);
  }
  rooms.refresh();
}

/**
 * useEpoch follows the server's storage lifetime. A new one (not the first
 * seen) means the server restarted: it forgot its sessions, so the page
 * checks its own, and its private rooms, so the page leaves a private room
 * that no longer exists.
 */
function useEpoch(next) {
  const restarted = epoch !== null;
  epoch = next;
  seen.useEpoch(next);
  rooms.render();
  if (!restarted) return;
  session.verify().then(() => rooms.refresh());
  if (roomIsPrivate) {
    enterRoom(LOBBY);
    notice('The chat server restarted and forgot its private rooms; here is the lobby.');
  }
}

let roomsTimer = null;
function refreshRoomsSoon() {
  clearTimeout(roomsTimer);
  roomsTimer = setTimeout(() => rooms.refresh(), ROOMS_AFTER_POST_MS);
}

function useSession({ nick, guest }) {
  const signedIn = nick !== null;
  // A guest's private rooms end with its session: it should know before making one.
  $('guest-note').hidden = !(signedIn && guest);
  $('me-button').hidden = !signedIn;
  text.disabled = !signedIn;
  $('send').disabled = !signedIn;
  if (!signedIn) return;
  $('me').textContent = nick;
  $('me-avatar').replaceChildren(createAvatar(nick));
  roomBar.show(currentInfo());
  if (!nickDialog.dialog.open) text.focus();
  // The held poll still carries the old token: poll again, so that the
  // server sees this nick present in the room.
  poller.retryNow();
  rooms.refresh();
  users.refresh();
}

/** offerExternalSignIn shows "Sign in with …" in the sign-in dialog when the server has a provider configured. */
async function offerExternalSignIn() {
  try {
    const { oidc } = await call('/auth', { needsSession: false });
    if (oidc === null) return;
    const link = $('oidc-sign-in');
    link.textContent = `Sign in with ${oidc.name}`;
    link.href = oidc.start;
    link.hidden = false;
  } catch {
    // No external sign-in, or the server is away: the other ways still work.
  }
}

function changeNick() {
  if (nickDialog.dialog.open) return;
  askNick({ ...nickDialog, suggestion: session.nick, cancellable: true, claim: (wanted, options) => session.change(wanted, options) })
    .then(() => text.focus());
}

function showTitle() {
  const name = roomTitle(currentInfo(), me());
  document.title = `${unreadTotal > 0 ? `(${unreadTotal}) ` : ''}${name} · flowchat`;
}

function notice(sentence) {
  $('notice-text').textContent = sentence;
  $('notice').hidden = false;
}
$('notice-close').addEventListener('click', () => {
  $('notice').hidden = true;
  text.focus();
});

$('me-button').addEventListener('click', () => profile.openMine());
$('reconnect').addEventListener('click', () => poller.retryNow());
addEventListener('online', () => poller.retryNow());
addEventListener('offline', () => {
  live = false;
  status.offline(Date.now());
});

status.connecting();
roomBar.show(currentInfo());
rooms.setCurrent(room);
users.setRoom(room);
showTitle();
poller.start();
rooms.start();
// An external sign-in comes back with a one-time code: used once, then gone from the address.
const signInCode = new URLSearchParams(location.search).get('signin');
if (signInCode !== null) {
  const address = new URL(location.href);
  address.searchParams.delete('signin');
  history.replaceState(null, '', address);
}
session.start(signInCode);
offerExternalSignIn();
