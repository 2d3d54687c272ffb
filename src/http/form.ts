import type { QueryValue } from '../protocol/packets.ts';

/**
 * parseForm reads a query string or an url-encoded body. A name given more
 * than once becomes an array, so the checks can refuse it instead of quietly
 * taking the first or the last. Every poll passes through here, so plain
 * names and values skip decoding. Linear in the text's length, however many
 * times a name repeats: each part is scanned once, and a repeated name's
 * values grow one array in place.
 */
export function parseForm(text: string): Record<string, QueryValue> {
  const fields: Record<string, QueryValue> = new Fields();
  // One scan of the whole text spares a poll's plain names and values a check each.
  const decode = text.includes('%') || text.includes('+') ? decodePart : keep;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    if (end > start) {
      // Looked for within this part only: a search for "=" from here to the end
      // of a text with none would cost every part the whole rest of the text.
      const part = text.slice(start, end);
      const eq = part.indexOf('=');
      const name = decode(eq === -1 ? part : part.slice(0, eq));
      const value = eq === -1 ? '' : decode(part.slice(eq + 1));
      const earlier = fields[name];
      if (earlier === undefined) fields[name] = value;
      else if (typeof earlier === 'string') fields[name] = [earlier, value];
      else (earlier as string[]).push(value);
    }
    start = end + 1;
  }
  return fields;
}

/**
 * Fields inherit nothing, so a field may be named "constructor" or
 * "__proto__", yet stay fast-mode objects: Object.create(null) would make a
 * hash-table dictionary, several times larger, that a held poll keeps for its
 * whole wait.
 */
class Fields {
  [name: string]: QueryValue;
}
Object.setPrototypeOf(Fields.prototype, null);
delete (Fields.prototype as { constructor?: unknown }).constructor;

const ESCAPED = /[%+]/;

const keep = (part: string): string => part;

function decodePart(part: string): string {
  if (!ESCAPED.test(part)) return part;
  const spaced = part.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    // Malformed escapes are kept as sent; the field's own check refuses them.
    return spaced;
  }
}

// Last in the file: parseForm needs Fields and the decoders defined above.
/** NO_FIELDS is the fields of an empty query, shared by every request without one. */
export const NO_FIELDS: Readonly<Record<string, QueryValue>> = Object.freeze(parseForm(''));
