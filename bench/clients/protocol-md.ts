import { openMany, RawConnection } from '../http/raw-connection.ts';
import { readNext } from '../http/poll-scan.ts';
import type { TargetServer } from '../types.ts';
import { keepPolling, publisherOn, type ChatClient, type Publisher, type SubscriberHooks, type Subscribers } from './chat-client.ts';

/**
 * PROTOCOL.md's client, as flowchat and the baseline speak it: polls
 * `GET B?room=…&since=…` each carrying the `next` of the answer before,
 * posts `POST B` as a signed-in user (a session opened first, where the
 * server has sessions). Requests are built as whole HTTP/1.1 texts, so a
 * client writes one string per request and does no header work of its own.
 */

/** POLL_TIMEOUT_S is the longest hold PROTOCOL.md allows, so a poll never times out inside a measurement. */
const POLL_TIMEOUT_S = 60;

/** Requests builds the requests for one server and room. */
class Requests {
  private readonly pollPrefix: string;
  private readonly pollSuffix: string;
  private readonly postHead: string;
  private readonly healthText: string;
  private readonly sessionHead: string;

  constructor(target: TargetServer, readonly room: string, limit: number) {
    const host = `Host: ${target.host}:${target.port}\r\n`;
    this.pollPrefix = `GET ${target.basePath}?room=${room}&timeout=${POLL_TIMEOUT_S}&limit=${limit}&since=`;
    this.pollSuffix = ` HTTP/1.1\r\n${host}\r\n`;
    this.postHead = `POST ${target.basePath} HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: `;
    this.healthText = `GET ${target.basePath}/health HTTP/1.1\r\n${host}\r\n`;
    this.sessionHead = `POST ${target.basePath}/session HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: `;
  }

  poll(since: number): string {
    return this.pollPrefix + since + this.pollSuffix;
  }

  /** post builds a post, signed with a session's token where the server gave one (then `author` must be the session's nick). */
  post(author: string, text: string, token?: string): string {
    const body = JSON.stringify({ author, text, room: this.room });
    const auth = token === undefined ? '' : `Authorization: Bearer ${token}\r\n`;
    return `${this.postHead}${Buffer.byteLength(body)}\r\n${auth}\r\n${body}`;
  }

  session(nick: string): string {
    const body = JSON.stringify({ nick });
    return `${this.sessionHead}${Buffer.byteLength(body)}\r\n\r\n${body}`;
  }

  health(): string {
    return this.healthText;
  }
}

/**
 * openSession opens a session for `nick` and returns its token, so posts
 * pass where the graph requires a session (and are checked as a signed-in
 * user's are); undefined from a server that has no sessions (404).
 */
async function openSession(connection: RawConnection, requests: Requests, nick: string): Promise<string | undefined> {
  const response = await connection.exchange(requests.session(nick));
  if (response.status === 404) return undefined;
  if (response.status !== 201) throw new Error(`POST session for "${nick}" answered ${response.status}: ${response.body.toString()}`);
  return (JSON.parse(response.body.toString()) as { token: string }).token;
}

/** PollAnswer is the part of a poll's 200 answer the bench reads. */
interface PollAnswer {
  readonly next: number;
  readonly messages: readonly { readonly text: string }[];
}

const parsePollAnswer = (body: Buffer): string[] => (JSON.parse(body.toString()) as PollAnswer).messages.map((m) => m.text);

/** openProtocolClient opens PROTOCOL.md's client on a room: one control connection per node, to read its held polls. */
export async function openProtocolClient(target: TargetServer, room: string, limit: number): Promise<ChatClient> {
  const requests = new Requests(target, room, limit);
  const control = await Promise.all((target.nodePorts ?? [target.port]).map((port) => RawConnection.open(port, target.host)));
  const opened: RawConnection[] = [...control];
  return {
    async subscribers(count: number, hooks: SubscriberHooks): Promise<Subscribers> {
      const connections = await openMany(count, target.port, target.host);
      opened.push(...connections);
      const since = new Float64Array(count);
      return keepPolling(connections, parsePollAnswer, (i) => requests.poll(since[i] as number), hooks, (i, response) => {
        since[i] = readNext(response.body);
      });
    },

    async publisher(name: string): Promise<Publisher> {
      const connection = await RawConnection.open(target.port, target.host);
      opened.push(connection);
      // Pollers carry no token, so polling adds no join messages; a publisher posts as a signed-in user.
      const token = await openSession(connection, requests, name);
      return publisherOn(connection, (text) => requests.post(name, text, token), (status) => status === 201);
    },

    async heldPolls(): Promise<number> {
      let held = 0;
      // Several nodes hold a share each: their counts are summed.
      for (const connection of control) {
        const response = await connection.exchange(requests.health());
        if (response.status !== 200) throw new Error(`GET health answered ${response.status}: ${response.body.toString()}`);
        held += (JSON.parse(response.body.toString()) as { heldPolls: number }).heldPolls;
      }
      return held;
    },

    close: () => opened.forEach((connection) => connection.close()),
  };
}
