/**
 * chat-api: the protocol's calls made from the test itself, as another
 * client would, to set up conversations and to check what the server holds
 * against what the pages show.
 */
import type { Entry } from './browser.ts';

const B = '/gochat/chat';

/** Message is the protocol's message (PROTOCOL.md "Message"). */
export interface Message {
  id: number;
  room: string;
  type: string;
  author: string;
  text: string;
  time: number;
  nonce?: string;
}

/** Session is an open session: its nick and bearer token. */
export interface Session {
  nick: string;
  token: string;
}

/** Answer is an HTTP status with the protocol's error code, if any. */
export interface Answer {
  status: number;
  code?: string;
}

function authorization(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

/** openSession opens a session for `nick` through `origin` (nginx). */
export async function openSession(origin: string, nick: string): Promise<Session> {
  const response = await fetch(`${origin}${B}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nick }),
  });
  if (response.status !== 201) throw new Error(`POST session answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Session;
}

/** sessionStatus is what GET B/session answers for `token`. */
export async function sessionStatus(origin: string, token: string): Promise<Answer & { nick?: string }> {
  const response = await fetch(`${origin}${B}/session`, { headers: authorization(token) });
  const body = (await response.json()) as { nick?: string; error?: { code: string } };
  return { status: response.status, code: body.error?.code, nick: body.nick };
}

/** endSession ends a session on the server, as expiry would. */
export async function endSession(origin: string, token: string): Promise<void> {
  const response = await fetch(`${origin}${B}/session`, { method: 'DELETE', headers: authorization(token) });
  if (response.status !== 204) throw new Error(`DELETE session answered ${response.status}: ${await response.text()}`);
}

/** post sends one message under `session` and returns the stored copy. */
export async function post(origin: string, session: Session, text: string, room = 'lobby'): Promise<Message> {
  const response = await fetch(`${origin}${B}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authorization(session.token) },
    body: JSON.stringify({ text, room }),
  });
  if (response.status !== 201) throw new Error(`post answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { message: Message }).message;
}

/** HistoryOptions: the room (default the lobby) and the token to read it with. */
export interface HistoryOptions {
  room?: string;
  token?: string;
}

/** history returns every retained message of a room, oldest first. */
export async function history(origin: string, { room = 'lobby', token }: HistoryOptions = {}): Promise<Message[]> {
  const response = await fetch(`${origin}${B}?since=0&timeout=0&limit=1000&room=${room}`, { headers: authorization(token) });
  if (!response.ok) throw new Error(`poll answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { messages: Message[] }).messages;
}

/** pollAnswer polls `room` once at once and says how the server answered. */
export async function pollAnswer(origin: string, room: string, token?: string): Promise<Answer> {
  const response = await fetch(`${origin}${B}?timeout=0&room=${room}`, { headers: authorization(token) });
  const body = (await response.json()) as { error?: { code: string } };
  return { status: response.status, code: body.error?.code };
}

/** present lists the nicks present in `room` now (GET B/users?room=). */
export async function present(origin: string, room: string, token?: string): Promise<string[]> {
  const response = await fetch(`${origin}${B}/users?room=${room}`, { headers: authorization(token) });
  if (!response.ok) throw new Error(`users answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { users: { nick: string }[] }).users.map((user) => user.nick);
}

/** onlyMessages drops the join and leave lines. */
export function onlyMessages(messages: readonly Message[]): Message[] {
  return messages.filter((message) => message.type === 'message');
}

/** asEntries reduces messages to what a page shows of them. */
export function asEntries(messages: readonly Message[]): Entry[] {
  return messages.map(({ id, type, author, text }) => ({ id, type, author, text }));
}
