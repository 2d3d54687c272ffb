import type { WholeAnswer } from '../http/whole-answer.ts';
import type { Trace } from '../tracing/traces.ts';
import { errorBody, ProtocolError, statusOf, type ErrorCode } from './errors.ts';

/**
 * The packets that flow through the chat graph. None of them knows the web
 * framework: the HTTP adapter makes HttpRequests and is the only code that
 * turns a `respond` call into bytes on a socket.
 */

export type Headers = Readonly<Record<string, string>>;
export type QueryValue = string | readonly string[];

/** HttpRequest is a framework-free view of one request, and the way to answer it. */
export interface HttpRequest {
  readonly method: string;
  /** The URL path without the query string, as the client sent it. */
  readonly path: string;
  /** Query parameters; a parameter given more than once is an array. */
  readonly query: Readonly<Record<string, QueryValue>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** A parsed JSON value, form fields (a repeated field is an array), or undefined. */
  readonly body: unknown;
  /** The client's address, as seen through the trusted proxy. */
  readonly clientAddress: string;
  /** True once the request is answered or its client has gone: nothing more can reach it. */
  readonly ended: boolean;
  /** Path parameters the Router found, e.g. {room: "ops"} for B/rooms/ops/invite. */
  params: Readonly<Record<string, string>>;
  /** Its trace, when it is traced (a sampled `traceparent`, or TRACE_SAMPLE). */
  readonly trace?: Trace | undefined;
  /** What the Router found asked for (`poll`, `post`, `health`, …: its out-port), for the metrics; `none` until then. */
  route: string;
  /** The caller's session: set by the Session component when the request carries a live token. */
  session: SessionRef | undefined;
  /** Processes its packets have reached: the network counts them, to catch a graph that sends them round a loop. */
  hops: number;
  /** Answers the request; later calls are ignored. */
  respond(status: number, body: unknown, headers?: Headers): void;
  /** Calls back once, when the request is answered or its client goes away. */
  onEnd(callback: () => void): void;
}

/** SessionRef names whose request it is: the session's token, and its user's id, nick and kind. */
export interface SessionRef {
  readonly token: string;
  readonly nick: string;
  readonly user: string;
  readonly guest: boolean;
}

/**
 * JsonText is a body already serialised: one room event is turned into JSON
 * once and the same bytes go to every poll waiting for it.
 */
export class JsonText {
  private encoded: Buffer | undefined;
  /** The HTTP answer rendered around it (src/http/whole-answer.ts), kept so that every answer carrying it shares the bytes. */
  whole: WholeAnswer | undefined;

  constructor(
    readonly text: string,
    /** The messages it carries, for the metrics (a poll's answer). */
    readonly messages = 0,
  ) {}

  /** The UTF-8 bytes, encoded once however many answers carry them. */
  get bytes(): Buffer {
    return (this.encoded ??= Buffer.from(this.text));
  }
}

/** Reply is an answer on its way to the Responder. */
/** PlainText is a body that is not JSON (the metrics' text format): sent as it is, under its own content type. */
export class PlainText {
  constructor(
    readonly text: string,
    readonly contentType: string,
  ) {}
}

export interface Reply {
  readonly request: HttpRequest;
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Headers;
}

/** Message is one entry of a room's history (PROTOCOL.md, Message). */
export interface Message {
  readonly id: number;
  readonly room: string;
  readonly type: 'message' | 'join' | 'leave';
  readonly author: string;
  readonly text: string;
  readonly time: number;
  readonly nonce?: string;
}

/** PollCommand is a checked poll, from the Controller to Storage. */
export interface PollCommand {
  readonly request: HttpRequest;
  readonly room: string;
  readonly since: number;
  readonly epoch: string | undefined;
  /** Milliseconds; 0 answers at once. */
  readonly timeoutMs: number;
  readonly limit: number;
}

/** PostCommand is a checked post, from the SendController to Storage. */
export interface PostCommand {
  readonly request: HttpRequest;
  readonly room: string;
  readonly author: string;
  readonly text: string;
  readonly nonce: string | undefined;
  /**
   * The client sent `"private": true` (an addition to PROTOCOL.md): the room
   * must be a private one, or the post is refused rather than made public. A
   * server that restarted forgets its private rooms, and a retried post must
   * not land in a public room of the same name. The component that confirms
   * the room is private clears the flag; Storage refuses a post that still
   * carries it, as then no component knows of private rooms.
   */
  readonly mustBePrivate: boolean;
}

/** reply makes a Reply. */
export function reply(request: HttpRequest, status: number, body: unknown, headers?: Headers): Reply {
  return headers === undefined ? { request, status, body } : { request, status, body, headers };
}

/** errorReply makes the Reply for a protocol error code. */
export function errorReply(request: HttpRequest, code: ErrorCode, message?: string, headers?: Headers): Reply {
  return reply(request, statusOf(code), errorBody(code, message), headers);
}

/** requestOf finds the request a packet belongs to, so a failure can still be answered. */
export function requestOf(packet: unknown): HttpRequest | undefined {
  if (isRequest(packet)) return packet;
  if (typeof packet === 'object' && packet !== null && 'request' in packet && isRequest(packet.request)) {
    return packet.request;
  }
  return undefined;
}

function isRequest(value: unknown): value is HttpRequest {
  return typeof value === 'object' && value !== null && typeof (value as HttpRequest).respond === 'function';
}

/** refusalOf makes the error Reply for a ProtocolError; any other error is a bug and is thrown again (500). */
export function refusalOf(request: HttpRequest, error: unknown): Reply {
  if (!(error instanceof ProtocolError)) throw error;
  return errorReply(request, error.code, error.message, error.headers);
}

/**
 * attempt runs a component's checks on a request: a ProtocolError becomes
 * the error Reply to send; any other error is a bug and propagates (500).
 */
export function attempt<T>(request: HttpRequest, check: () => T): { value: T } | { error: Reply } {
  try {
    return { value: check() };
  } catch (error) {
    return { error: refusalOf(request, error) };
  }
}
