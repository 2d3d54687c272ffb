/**
 * chat-api: the protocol's Poll and Post called from the test itself, as
 * another client would, to set up conversations and to check what the
 * server holds against what the pages show.
 */
import type { Entry } from './browser.ts';

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

/** post sends one message through `origin` (nginx) and returns the stored copy. */
export async function post(origin: string, author: string, text: string): Promise<Message> {
  const response = await fetch(`${origin}/gochat/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ author, text }),
  });
  if (response.status !== 201) throw new Error(`post answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { message: Message }).message;
}

/** history returns every retained message of the lobby, oldest first. */
export async function history(origin: string): Promise<Message[]> {
  const response = await fetch(`${origin}/gochat/chat?since=0&timeout=0&limit=1000`);
  if (!response.ok) throw new Error(`poll answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { messages: Message[] }).messages;
}

/** asEntries reduces messages to what a page shows of them. */
export function asEntries(messages: readonly Message[]): Entry[] {
  return messages.map(({ id, author, text }) => ({ id, author, text }));
}
