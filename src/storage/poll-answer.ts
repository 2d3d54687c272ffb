import { JsonText, type PollCommand } from '../protocol/packets.ts';
import type { Entry, MessageStore } from './store.ts';

/**
 * pollAnswer reads what a poll should get now (PROTOCOL.md, Poll), or
 * undefined when it should be held because nothing newer is retained.
 */
export function pollAnswer(store: MessageStore, command: PollCommand): JsonText | undefined {
  const { room, limit } = command;
  let since = command.since;
  let slice = store.read(room, since, limit);
  const reset = (command.epoch !== undefined && command.epoch !== store.epoch) || since > slice.lastId;
  if (reset) {
    since = 0;
    slice = store.read(room, 0, limit);
  }
  const { entries } = slice;
  if (entries.length === 0 && !reset && command.timeoutMs > 0) return undefined;
  const lastReturned = entries.at(-1)?.message.id;
  return pollBody(store.epoch, room, entries, {
    next: lastReturned ?? since,
    more: lastReturned !== undefined && lastReturned < slice.lastId,
    reset,
    truncated: entries.length > 0 && (entries[0] as Entry).message.id > since + 1,
  });
}

/** emptyAnswer is what a held poll gets when its timeout passes or the server stops. */
export function emptyAnswer(epoch: string, command: PollCommand): JsonText {
  return pollBody(epoch, command.room, [], { next: command.since, more: false, reset: false, truncated: false });
}

/** newMessageAnswer is the one answer every poll held in a room gets when a message arrives. */
export function newMessageAnswer(epoch: string, entry: Entry): JsonText {
  return pollBody(epoch, entry.message.room, [entry], { next: entry.message.id, more: false, reset: false, truncated: false });
}

interface Flags {
  readonly next: number;
  readonly more: boolean;
  readonly reset: boolean;
  readonly truncated: boolean;
}

// Each entry's JSON was made when it was stored; an answer only joins them.
function pollBody(epoch: string, room: string, entries: readonly Entry[], f: Flags): JsonText {
  let messages = '';
  for (const entry of entries) messages += (messages === '' ? '' : ',') + entry.json;
  return new JsonText(
    `{"epoch":${JSON.stringify(epoch)},"room":${JSON.stringify(room)},"messages":[${messages}],` +
      `"next":${f.next},"more":${f.more},"reset":${f.reset},"truncated":${f.truncated}}`,
  );
}
