/**
 * chat-api: the protocol's calls made from the test itself, as another
 * client would, through nginx (`origin`), to set up conversations and to
 * check what the server holds against what the pages show.
 */
import type { Message } from '../../src/protocol/packets.ts';
import { call, postJson, type Answer } from '../helpers/server.ts';
import { bearer, signIn } from '../helpers/sessions.ts';
import type { Entry } from './browser.ts';

const B = '/gochat/chat';

/** Session is an open session: its nick and bearer token. */
export interface Session {
  nick: string;
  token: string;
}

/** openSession opens a session for `nick`. */
export async function openSession(origin: string, nick: string): Promise<Session> {
  return { nick, token: await signIn(`${origin}${B}`, nick) };
}

/** sessionStatus is what GET B/session answers for `token`. */
export function sessionStatus(origin: string, token: string): Promise<Answer> {
  return call(`${origin}${B}/session`, { headers: bearer(token) });
}

/** endSession ends a session on the server, as expiry would. */
export async function endSession(origin: string, token: string): Promise<void> {
  const answer = await call(`${origin}${B}/session`, { method: 'DELETE', headers: bearer(token) });
  if (answer.status !== 204) throw new Error(`DELETE session answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

/** post sends one message under `session` and returns the stored copy. */
export async function post(origin: string, session: Session, text: string, room = 'lobby'): Promise<Message> {
  const answer = await postJson(`${origin}${B}`, { text, room }, bearer(session.token));
  if (answer.status !== 201) throw new Error(`post answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.message;
}

/** HistoryOptions: the room (default the lobby) and the token to read it with. */
export interface HistoryOptions {
  room?: string;
  token?: string;
}

/** history returns every retained message of a room, oldest first. */
export async function history(origin: string, { room = 'lobby', token }: HistoryOptions = {}): Promise<Message[]> {
  const answer = await pollAnswer(origin, room, token, 'since=0&limit=1000');
  if (answer.status !== 200) throw new Error(`poll answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.messages;
}

/** pollAnswer polls `room` once, answered at once. */
export function pollAnswer(origin: string, room: string, token?: string, query = ''): Promise<Answer> {
  return call(`${origin}${B}?timeout=0&room=${room}${query === '' ? '' : `&${query}`}`, { headers: bearer(token) });
}

/** present lists the nicks present in `room` now (GET B/users?room=). */
export async function present(origin: string, room: string, token?: string): Promise<string[]> {
  const answer = await call(`${origin}${B}/users?room=${room}`, { headers: bearer(token) });
  if (answer.status !== 200) throw new Error(`users answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.users.map((user) => user.nick);
}

/** onlyMessages drops the join and leave lines. */
export function onlyMessages(messages: readonly Message[]): Message[] {
  return messages.filter((message) => message.type === 'message');
}

/** asEntries reduces messages to what a page shows of them. */
export function asEntries(messages: readonly Message[]): Entry[] {
  return messages.map(({ id, type, author, text }) => ({ id, type, author, text }));
}
