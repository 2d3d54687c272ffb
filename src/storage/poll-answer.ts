import { after, type MaybePromise } from '../util/maybe-promise.ts';
import { JsonText, type PollCommand } from '../protocol/packets.ts';
import type { SharedAnswers } from './shared-answers.ts';
import type { Entry, MessageStore, Slice } from './store.ts';

// Room for the answer's own fields around its messages: epoch, room, next and the flags.
const ENVELOPE_BYTES = 512;

/**
 * pollAnswer reads what a poll should get now (PROTOCOL.md, Poll), or
 * undefined when it should be held because nothing newer is retained. The
 * answer stays within `maxBytes` (PROTOCOL.md: 1 MiB): it stops early, with
 * at least one message and `more: true`.
 */
export function pollAnswer(store: MessageStore, command: PollCommand, maxBytes: number, shared: SharedAnswers): MaybePromise<JsonText | undefined> {
  // Checked here rather than chained with `after`: the in-memory read of every poll allocates no closure.
  const slice = store.read(command.room, command.since, command.limit, command.timeoutMs > 0);
  return slice instanceof Promise
    ? slice.then((s) => answerAfterRead(store, command, s, maxBytes, shared))
    : answerAfterRead(store, command, slice, maxBytes, shared);
}

/** answerAfterRead answers from what the read after `since` found, reading again from 0 when the client must reset. */
function answerAfterRead(store: MessageStore, command: PollCommand, slice: Slice, maxBytes: number, shared: SharedAnswers): MaybePromise<JsonText | undefined> {
  // The store's epoch is the one its read saw.
  const reset = (command.epoch !== undefined && command.epoch !== store.epoch) || command.since > slice.lastId;
  if (!reset) return answerOf(store.epoch, command, slice, command.since, false, maxBytes, shared);
  return after(store.read(command.room, 0, command.limit), (all) => answerOf(store.epoch, command, all, 0, true, maxBytes, shared));
}

/** answerOf makes a poll's answer from what a read after `since` found, or takes the one made for the same question; undefined: hold the poll. */
function answerOf(epoch: string, command: PollCommand, slice: Slice, since: number, reset: boolean, maxBytes: number, shared: SharedAnswers): JsonText | undefined {
  if (slice.entries.length === 0 && !reset && command.timeoutMs > 0) return undefined;
  const question = `${since} ${command.limit} ${reset}`;
  const known = shared.get(epoch, command.room, slice, question);
  if (known !== undefined) return known;
  const answer = freshAnswer(epoch, command, slice, since, reset, maxBytes);
  shared.set(epoch, command.room, slice, question, answer);
  return answer;
}

/** freshAnswer makes a poll's answer from what a read after `since` found. */
function freshAnswer(epoch: string, command: PollCommand, slice: Slice, since: number, reset: boolean, maxBytes: number): JsonText {
  const entries = withinBytes(slice.entries, maxBytes - ENVELOPE_BYTES);
  const lastReturned = entries.at(-1)?.message.id;
  return pollBody(epoch, command.room, entries, {
    next: lastReturned ?? since,
    more: lastReturned !== undefined && lastReturned < slice.lastId,
    reset,
    truncated: entries.length > 0 && (entries[0] as Entry).message.id > since + 1,
  });
}

/** withinBytes keeps the oldest entries whose JSON fits in `budget` bytes of UTF-8, and always the first. */
function withinBytes(entries: readonly Entry[], budget: number): readonly Entry[] {
  let chars = 0;
  for (const entry of entries) chars += entry.json.length + 1;
  // A UTF-16 unit is at most 3 bytes of UTF-8: most answers are known to fit without measuring.
  if (chars * 3 <= budget) return entries;
  let bytes = 0;
  for (let i = 0; i < entries.length; i++) {
    bytes += Buffer.byteLength((entries[i] as Entry).json) + 1;
    if (bytes > budget) return entries.slice(0, Math.max(1, i));
  }
  return entries;
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
    entries.length,
  );
}
