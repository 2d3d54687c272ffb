import type { FinishedTrace } from '../../src/tracing/traces.ts';
import type { RoomInfo } from '../../src/protocol/membership.ts';
import type { Message } from '../../src/protocol/packets.ts';
import type { NetworkDescription } from '../../src/runtime/network.ts';

/** The JSON bodies of PROTOCOL.md, as tests read them. */

/** Answer is how a test sees any answer, from a server or a component: its body parsed from JSON (null when empty). */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: AnyBody;
}

export interface PollBody {
  epoch: string;
  room: string;
  messages: Message[];
  next: number;
  more: boolean;
  reset: boolean;
  truncated: boolean;
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export interface PostBody {
  message: Message;
}

export interface HealthBody {
  status: string;
  epoch: string;
  uptimeMs: number;
  heldPolls: number;
  rooms: number;
}

export interface UsersBody {
  users: { nick: string; since?: number; online?: boolean }[];
}

export interface ProfileBody {
  token: string;
  nick: string;
  bio: string;
  online: boolean;
}

/** RoomsBody is `GET B/rooms`; its `rooms` and `room` clash with other bodies, so read it with roomsIn/roomIn. */
export interface RoomsBody {
  rooms: RoomInfo[];
  room: RoomInfo;
}

export const roomsIn = (answer: { body: unknown }): RoomInfo[] => (answer.body as RoomsBody).rooms;
export const roomIn = (answer: { body: unknown }): RoomInfo => (answer.body as RoomsBody).room;

/**
 * AnyBody lets a test read whichever fields its answer should have, with
 * their names and types checked; a missing field reads as undefined and
 * fails the assertion, as it should.
 */
export type AnyBody = PollBody & ErrorBody & PostBody & HealthBody & NetworkDescription & UsersBody & ProfileBody & TracesBody;

/** TracesBody is `GET B/graph/traces`. */
export interface TracesBody {
  traces: FinishedTrace[];
}
