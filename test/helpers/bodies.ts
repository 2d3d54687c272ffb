import type { Message } from '../../src/protocol/packets.ts';
import type { NetworkDescription } from '../../src/runtime/network.ts';

/** The JSON bodies of PROTOCOL.md, as tests read them. */

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

/**
 * AnyBody lets a test read whichever fields its answer should have, with
 * their names and types checked; a missing field reads as undefined and
 * fails the assertion, as it should.
 */
export type AnyBody = PollBody & ErrorBody & PostBody & HealthBody & NetworkDescription;
