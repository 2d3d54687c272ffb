import { ProtocolError, type ErrorCode } from './errors.ts';

/**
 * Checks for query parameters and body fields, following PROTOCOL.md's
 * "Precise readings": present-but-empty is invalid, a repeated parameter is
 * invalid, integers are plain decimal digits. Each check throws a
 * ProtocolError with the field's code.
 */

const DIGITS = /^[0-9]{1,16}$/;
const DECIMAL = /^[0-9]{1,16}(\.[0-9]{1,9})?$/;
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const ROOM = /^[a-z0-9][a-z0-9_-]{0,63}$/;
// Unicode category Cc; text may keep \t (U+0009) and \n (U+000A).
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/** single takes a value that must appear once and not be empty; undefined when absent. */
export function single(value: unknown, code: ErrorCode): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new ProtocolError(code);
  return value;
}

/** integer reads a plain decimal integer within [min, max]. */
export function integer(value: unknown, code: ErrorCode, min: number, max: number, fallback: number): number {
  return numberIn(value, DIGITS, code, min, max, fallback);
}

/** decimal reads a plain decimal number (digits, an optional fraction) within [min, max]. */
export function decimal(value: unknown, code: ErrorCode, min: number, max: number, fallback: number): number {
  return numberIn(value, DECIMAL, code, min, max, fallback);
}

function numberIn(value: unknown, form: RegExp, code: ErrorCode, min: number, max: number, fallback: number): number {
  const text = single(value, code);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!form.test(text) || n < min || n > max) throw new ProtocolError(code);
  return n;
}

/** room reads a room name. */
export function room(value: unknown, fallback: string): string {
  const text = single(value, 'BAD_ROOM');
  if (text === undefined) return fallback;
  if (!ROOM.test(text)) throw new ProtocolError('BAD_ROOM');
  return text;
}

/** token reads an epoch- or nonce-like id (URL-safe, 1 to 64 characters). */
export function token(value: unknown, code: ErrorCode): string | undefined {
  const text = single(value, code);
  if (text !== undefined && !TOKEN.test(text)) throw new ProtocolError(code);
  return text;
}

// Half of a UTF-16 pair with no other half: no character at all, and no valid UTF-8 to store.
const LONE_SURROGATE = /\p{Surrogate}/u;
// Something to see: a character that is neither white space nor an invisible format character (zero-width space, joiners, BOM).
const VISIBLE = /[^\s\p{Cf}]/u;

/**
 * text reads free text: NFC-normalised, 1 to `max` code points once trimmed,
 * no control characters (but newline and tab where `multiline`), no lone
 * surrogates, and at least one visible character. It returns the normalised
 * text untrimmed: PROTOCOL.md stores text unchanged but for NFC.
 */
export function text(value: unknown, field: string, code: ErrorCode, max: number, multiline: boolean): string {
  const fail = (): never => {
    const allowed = multiline ? ' other than newline and tab' : '';
    throw new ProtocolError(code, `${field} must be a string of 1 to ${max} characters after trimming, with something visible and no control characters${allowed}`);
  };
  if (typeof value !== 'string') return fail();
  const normal = value.normalize('NFC');
  const length = codePoints(normal.trim());
  if (length < 1 || length > max || (multiline ? CONTROL_IN_TEXT : CONTROL).test(normal) || LONE_SURROGATE.test(normal) || !VISIBLE.test(normal)) fail();
  return normal;
}

/** codePoints counts Unicode code points: an emoji is one, not two UTF-16 units. */
export function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const NICK = /^[A-Za-z0-9_.-]{1,32}$/;

/** nick reads a nick (sessions, invitations, members), or throws with `code`. */
export function nick(value: unknown, code: ErrorCode = 'BAD_NICK'): string {
  if (typeof value !== 'string' || !NICK.test(value)) {
    throw new ProtocolError(code, `nick must be 1 to 32 characters of A-Z, a-z, 0-9, "_", "." and "-", got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * jsonObject reads a body that must be a JSON (or form) object. A body the
 * HTTP adapter could not read (too large, another media type, not JSON)
 * comes as the ProtocolError that says so, refused here: only a request
 * that gets this far needed a body.
 */
export function jsonObject(body: unknown): Record<string, unknown> {
  if (body instanceof ProtocolError) throw body;
  if (body === undefined) {
    throw new ProtocolError('UNSUPPORTED_MEDIA_TYPE', 'the request has no body; send it as application/json or application/x-www-form-urlencoded');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProtocolError('BAD_JSON', 'the body must be a JSON object');
  }
  return body as Record<string, unknown>;
}
