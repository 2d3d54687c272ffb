import { RawConnection } from './raw-connection.ts';
import type { TargetServer } from '../types.ts';

/**
 * The request texts the bench sends, built as whole HTTP/1.1 requests so a
 * client writes one string per request and does no header work of its own.
 */

/** POLL_TIMEOUT_S is the longest hold PROTOCOL.md allows, so a poll never times out inside a measurement. */
export const POLL_TIMEOUT_S = 60;

/** Requests builds the requests for one server and room. */
export class Requests {
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

  /**
   * post builds a post, signed with a session's token where the server gave
   * one (then `author` must be the session's nick).
   */
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
export async function openSession(connection: RawConnection, requests: Requests, nick: string): Promise<string | undefined> {
  const response = await connection.exchange(requests.session(nick));
  if (response.status === 404) return undefined;
  if (response.status !== 201) throw new Error(`POST session for "${nick}" answered ${response.status}: ${response.body.toString()}`);
  return (JSON.parse(response.body.toString()) as { token: string }).token;
}

/** Health is the part of GET B/health the bench reads. */
export interface Health {
  readonly heldPolls: number;
}

/** readHealth asks the server how many polls it holds. */
export async function readHealth(connection: RawConnection, requests: Requests): Promise<Health> {
  const response = await connection.exchange(requests.health());
  if (response.status !== 200) throw new Error(`GET health answered ${response.status}: ${response.body.toString()}`);
  return JSON.parse(response.body.toString()) as Health;
}

/**
 * waitForHeld polls /health until the server holds exactly `count` polls:
 * only then has every client's poll reached the server and been parked.
 */
export async function waitForHeld(control: RawConnection | readonly RawConnection[], requests: Requests, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Several nodes hold a share each: their counts are summed.
  const connections = Array.isArray(control) ? control : [control as RawConnection];
  let held = -1;
  for (;;) {
    held = 0;
    for (const connection of connections) held += (await readHealth(connection, requests)).heldPolls;
    if (held === count) return;
    if (Date.now() > deadline) throw new Error(`The server holds ${held} polls, not ${count}, after ${timeoutMs} ms`);
    await sleep(held < count / 2 ? 20 : 5);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** PollAnswer is the part of a poll's 200 answer the bench reads. */
export interface PollAnswer {
  readonly next: number;
  readonly truncated: boolean;
  readonly messages: readonly { readonly id: number; readonly text: string }[];
}

/** PostAnswer is the part of a post's 201 answer the bench reads. */
export interface PostAnswer {
  readonly message: { readonly id: number };
}

/** controlConnections opens one connection to each node, to read its held polls (the server's own port when it is one node). */
export function controlConnections(target: TargetServer): Promise<RawConnection[]> {
  return Promise.all((target.nodePorts ?? [target.port]).map((port) => RawConnection.open(port, target.host)));
}
