/**
 * scanTexts finds each message's text in an answer's bytes, whatever the
 * server's framing around it (PROTOCOL.md's JSON answer, Engine.IO packets,
 * nchan's newline-separated messages): every message the bench posts is a
 * JSON object with a `"text":"…"` member, and its texts are decimals and
 * spaces, so the next quote ends one. JSON.parse costs about 0.9 µs per
 * message against 0.3 µs for this, and at half a million deliveries a second
 * that difference is a third of the load generator's CPU: enough to make it,
 * not the server, the bottleneck.
 *
 * `crossCheck` compares the scan with a real parse of the same answer, so a
 * server that lays its answers out otherwise stops the run instead of
 * skewing it.
 */

/** TextVisitor gets where each message's text lies in the body. */
export type TextVisitor = (textStart: number, textEnd: number) => void;

const TEXT = Buffer.from('"text":"');
const NEXT = Buffer.from('"next":');
const QUOTE = 0x22;
const SPACE = 0x20;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** scanTexts calls `visit` for every message's text, oldest first, and returns how many it found. */
export function scanTexts(body: Buffer, visit: TextVisitor): number {
  let count = 0;
  let from = 0;
  for (;;) {
    const at = body.indexOf(TEXT, from);
    if (at === -1) return count;
    const textStart = at + TEXT.length;
    const textEnd = body.indexOf(QUOTE, textStart);
    visit(textStart, textEnd);
    count++;
    from = textEnd;
  }
}

/** readNext reads PROTOCOL.md's `next` from a poll answer: the members after `messages` hold no texts, so the last `"next":` is it. */
export function readNext(body: Buffer): number {
  const at = body.lastIndexOf(NEXT);
  if (at === -1) throw new Error(`A poll answer without "next": ${body.toString().slice(0, 300)}`);
  return readInteger(body, at + NEXT.length);
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

/** crossCheck throws unless scanTexts reads the same texts from `body` as `parse`, a real parser of the server's framing, does. */
export function crossCheck(body: Buffer, parse: (body: Buffer) => readonly string[]): void {
  const scanned: string[] = [];
  scanTexts(body, (start, end) => scanned.push(body.toString('utf8', start, end)));
  if (JSON.stringify(scanned) !== JSON.stringify(parse(body))) {
    throw new Error(`bench/http/poll-scan.ts misread an answer (the server lays out its messages differently than it expects): ${body.toString().slice(0, 300)}`);
  }
}
