import type { JsonText } from '../protocol/packets.ts';
import type { Slice } from './store.ts';

/**
 * What the answers kept may add up to, in characters of JSON: a few busy
 * rooms' worth. Beyond it, everything kept is dropped and kept afresh, so
 * a quiet room polled from many positions cannot pile answers up.
 */
const BUDGET_CHARS = 4 * 1024 * 1024;

interface RoomAnswers {
  readonly epoch: string;
  readonly lastId: number;
  readonly firstId: number;
  readonly answers: Map<string, JsonText>;
  chars: number;
}

/**
 * SharedAnswers lets the polls that ask a room the same thing share one
 * answer's bytes, as the polls one message releases already do. Many
 * pollers of a busy room come back at the same `since` (they all got the
 * same last answer) and find the same messages waiting; the answer to a
 * `since` stays the same until the room's last id (an append), its first id
 * (a trim) or the epoch changes, and then is made afresh.
 */
export class SharedAnswers {
  private readonly rooms = new Map<string, RoomAnswers>();
  private chars = 0;

  /** get gives the answer made for this question about the room as `slice` found it, if one was. */
  get(epoch: string, room: string, slice: Slice, question: string): JsonText | undefined {
    const known = this.rooms.get(room);
    if (known === undefined || !current(known, epoch, slice)) return undefined;
    return known.answers.get(question);
  }

  /** set keeps an answer for the next poll that asks the same, while the room stays as `slice` found it. */
  set(epoch: string, room: string, slice: Slice, question: string, answer: JsonText): void {
    const size = answer.text.length;
    if (size > BUDGET_CHARS / 16) return;
    if (this.chars + size > BUDGET_CHARS) this.forget();
    let known = this.rooms.get(room);
    if (known === undefined || !current(known, epoch, slice)) {
      if (known !== undefined) this.chars -= known.chars;
      known = { epoch, lastId: slice.lastId, firstId: slice.firstId, answers: new Map(), chars: 0 };
      this.rooms.set(room, known);
    }
    known.answers.set(question, answer);
    known.chars += size;
    this.chars += size;
  }

  /** forget drops every answer (the largest answer's size changed, say). */
  forget(): void {
    this.rooms.clear();
    this.chars = 0;
  }

  /** How many characters the answers kept hold. */
  get size(): number {
    return this.chars;
  }
}

/** current tells whether answers kept for a room still answer it as a read found it. */
function current(known: RoomAnswers, epoch: string, slice: Slice): boolean {
  return known.lastId === slice.lastId && known.firstId === slice.firstId && known.epoch === epoch;
}
