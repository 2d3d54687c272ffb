import type { JsonText } from '../protocol/packets.ts';
import type { Slice } from './store.ts';

/** Rooms remembered at most; beyond, all are forgotten and remembered afresh. */
const MAX_ROOMS = 1024;

interface RoomAnswers {
  readonly epoch: string;
  readonly lastId: number;
  readonly firstId: number;
  readonly answers: Map<string, JsonText>;
}

/**
 * SharedAnswers lets the polls that ask a room for the same thing share one
 * answer's bytes, as the polls one message releases already do. Many
 * pollers of a busy room come back at the same `since` (they all got the
 * same last answer) and find the same messages waiting; the answer to a
 * `since` stays the same until the room's last id (an append), its first id
 * (a trim) or the epoch changes, and then is made afresh.
 */
export class SharedAnswers {
  private readonly rooms = new Map<string, RoomAnswers>();

  /** get gives the answer made for this question about the room as `slice` found it, if one was. */
  get(epoch: string, room: string, slice: Slice, question: string): JsonText | undefined {
    const known = this.rooms.get(room);
    if (known === undefined || known.lastId !== slice.lastId || known.firstId !== slice.firstId || known.epoch !== epoch) return undefined;
    return known.answers.get(question);
  }

  /** set keeps an answer for the next poll that asks the same, while the room stays as `slice` found it. */
  set(epoch: string, room: string, slice: Slice, question: string, answer: JsonText): void {
    let known = this.rooms.get(room);
    if (known === undefined || known.lastId !== slice.lastId || known.firstId !== slice.firstId || known.epoch !== epoch) {
      if (known === undefined && this.rooms.size >= MAX_ROOMS) this.rooms.clear();
      known = { epoch, lastId: slice.lastId, firstId: slice.firstId, answers: new Map() };
      this.rooms.set(room, known);
    }
    known.answers.set(question, answer);
  }

  /** forget drops every answer (the largest answer's size changed, say). */
  forget(): void {
    this.rooms.clear();
  }
}
