import type { PollAnswer } from './requests.ts';

/**
 * scanPollAnswer reads a poll answer's messages and `next` straight from its
 * bytes. JSON.parse costs about 0.9 µs per message against 0.3 µs for this,
 * and at half a million deliveries a second that difference is a third of the
 * load generator's CPU: enough to make it, not the server, the bottleneck.
 *
 * It relies on what the bench controls: each message object has `"id":`
 * before `"text":"`, texts hold no quote or backslash, and no author or room
 * contains `"id":` or `"next":`. `crossCheck` compares it with JSON.parse, so
 * a server that lays its answers out otherwise stops the run instead of
 * skewing it.
 */

/** MessageVisitor gets each message's id and where its text lies in the body. */
export type MessageVisitor = (id: number, textStart: number, textEnd: number) => void;

const ID = Buffer.from('"id":');
const TEXT = Buffer.from('"text":"');
const NEXT = Buffer.from('"next":');
const QUOTE = 0x22;
const SPACE = 0x20;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** scanPollAnswer calls `visit` for every message, oldest first, and returns `next`. */
export function scanPollAnswer(body: Buffer, visit: MessageVisitor): number {
  let from = 0;
  for (;;) {
    const idAt = body.indexOf(ID, from);
    if (idAt === -1) break;
    const id = readInteger(body, idAt + ID.length);
    const textStart = body.indexOf(TEXT, idAt) + TEXT.length;
    const textEnd = body.indexOf(QUOTE, textStart);
    visit(id, textStart, textEnd);
    from = textEnd;
  }
  return readInteger(body, body.lastIndexOf(NEXT) + NEXT.length);
}

function readInteger(body: Buffer, at: number): number {
  let n = 0;
  for (let i = at; i < body.length; i++) {
    const c = body[i] as number;
    if (c < ZERO || c > NINE) break;
    n = n * 10 + c - ZERO;
  }
  return n;
}

/** readDecimals parses space-separated unsigned decimals (`3 17 1234.567`) into `out`; returns how many. */
export function readDecimals(body: Buffer, start: number, end: number, out: Float64Array): number {
  let count = 0;
  let n = 0;
  let scale = 0; // 0 before the point, else 10^(fraction digits read)
  for (let i = start; i <= end; i++) {
    const c = i === end ? SPACE : (body[i] as number);
    if (c === SPACE) {
      out[count++] = scale === 0 ? n : n / scale;
      n = 0;
      scale = 0;
    } else if (c === DOT) {
      scale = 1;
    } else {
      n = n * 10 + c - ZERO;
      if (scale !== 0) scale *= 10;
    }
  }
  return count;
}

/** crossCheck parses the body with JSON.parse and throws if the scan read anything else. */
export function crossCheck(body: Buffer): void {
  const parsed = JSON.parse(body.toString()) as PollAnswer;
  const scanned: { id: number; text: string }[] = [];
  const next = scanPollAnswer(body, (id, start, end) => scanned.push({ id, text: body.toString('utf8', start, end) }));
  const expected = parsed.messages.map((m) => ({ id: m.id, text: m.text }));
  if (next !== parsed.next || JSON.stringify(scanned) !== JSON.stringify(expected)) {
    throw new Error(`bench/http/poll-scan.ts misread a poll answer (the server lays out its JSON differently than it expects): ${body.toString().slice(0, 300)}`);
  }
}
