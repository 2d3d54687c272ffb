import { pollerHandler } from '../http/poller.ts';
import type { RawConnection, RawResponse, ResponseHandler } from '../http/raw-connection.ts';

/**
 * ChatClient is how the load generator speaks to one server in that server's
 * own client protocol: PROTOCOL.md for flowchat and the baseline, Engine.IO's
 * polling transport for socket.io, nchan's long-poll for nchan. The
 * scenarios see only this: clients that keep a poll held on one room,
 * publishers that post to it, and the server's count of held polls.
 *
 * Every message the bench posts is a text of decimals, wrapped by each
 * client in a JSON object with a `"text"` member, so one scanner
 * (http/poll-scan.ts) reads the messages of every server's answers.
 */

export interface SubscriberHooks {
  /** A 200 answer (its messages are read with scanTexts) and when its last byte was read. The client polls again once this returns. */
  answered(client: number, body: Buffer, at: number): void;
  /** A lost connection or a refused poll (asked again after http/poller.ts's POLL_RETRY_MS). */
  failed(): void;
}

/** Subscribers are clients that each keep a poll held on the room, from start() until close(). */
export interface Subscribers {
  start(): void;
  close(): void;
}

/** PostDone hears how a post was answered: accepted, or the status it was refused with. */
export type PostDone = (accepted: boolean, status: string, at: number) => void;

/** Publisher posts to the room, one post at a time. */
export interface Publisher {
  post(text: string, done: PostDone): void;
  /** onLost sets who hears of the connection lost mid-post. */
  onLost(lost: () => void): void;
  close(): void;
}

export interface ChatClient {
  /** subscribers opens `count` clients (connected and, where the protocol has one, past its handshake) that do not poll yet. */
  subscribers(count: number, hooks: SubscriberHooks): Promise<Subscribers>;
  /** publisher opens a client that posts as `name`. */
  publisher(name: string): Promise<Publisher>;
  /** heldPolls asks the server (every node of it) how many polls it holds. */
  heldPolls(): Promise<number>;
  close(): void;
}

/**
 * keepPolling makes subscribers of connections already open (and past any
 * handshake): `request(i)` is client i's next poll, `parse` the protocol's
 * real parser (http/poller.ts cross-checks the scanner with it), and
 * `noted(i, response)`, when given, reads what an answer tells the client
 * for its next poll (its position) before the hooks hear of it.
 */
export function keepPolling(
  connections: readonly RawConnection[],
  parse: (body: Buffer) => readonly string[],
  request: (client: number) => string,
  hooks: SubscriberHooks,
  noted?: (client: number, response: RawResponse) => void,
): Subscribers {
  const poll = (i: number): void => (connections[i] as RawConnection).send(request(i), handlers[i] as ResponseHandler);
  const handlers = connections.map((connection, i) =>
    pollerHandler(connection, parse, {
      failed: hooks.failed,
      retry: () => poll(i),
      answered: (response, at) => {
        noted?.(i, response);
        hooks.answered(i, response.body, at);
        poll(i);
      },
    }),
  );
  return {
    start: () => connections.forEach((_, i) => poll(i)),
    close: () => connections.forEach((connection) => connection.close()),
  };
}

/** publisherOn makes a publisher of an open connection: `request(text)` is a post's whole request, `accepts(status)` whether the server took it. */
export function publisherOn(connection: RawConnection, request: (text: string) => string, accepts: (status: number) => boolean): Publisher {
  return {
    post: (text, done) => connection.send(request(text), (response, at) => done(accepts(response.status), String(response.status), at)),
    onLost: (lost) => connection.onLost(lost),
    close: () => connection.close(),
  };
}

/** waitForHeld asks until the server holds exactly `count` polls: only then has every client's poll reached it and been parked. */
export async function waitForHeld(client: ChatClient, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const held = await client.heldPolls();
    if (held === count) return;
    if (Date.now() > deadline) throw new Error(`The server holds ${held} polls, not ${count}, after ${timeoutMs} ms`);
    await sleep(held < count / 2 ? 20 : 5);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
