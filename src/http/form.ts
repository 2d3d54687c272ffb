import type { QueryValue } from '../protocol/packets.ts';

/**
 * parseForm reads a query string or an url-encoded body. A name given more
 * than once becomes an array, so the checks can refuse it instead of quietly
 * taking the first or the last. Every poll passes through here, so plain
 * names and values skip decoding, and a poll's parameter names are not cut
 * from the text at all (POLL_NAMES). Linear in the text's length, however
 * many times a name repeats: each part is scanned once, and a repeated
 * name's values grow one array in place.
 */
export function parseForm(text: string): Record<string, QueryValue> {
  const fields: Record<string, QueryValue> = new Fields();
  // One scan of the whole text spares a poll's plain names and values a check each.
  const decode = text.includes('%') || text.includes('+') ? decodePart : keep;
  // The first "=" at or after the current part, or -1 when none is left. It is
  // looked for again only once a part starts past it, so the text is searched
  // for "=" once in all, however many parts have none.
  let nextEq = text.indexOf('=');
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    if (end > start) {
      if (nextEq !== -1 && nextEq < start) nextEq = text.indexOf('=', start);
      const eq = nextEq !== -1 && nextEq < end ? nextEq : end;
      const name = pollName(text, start, eq) ?? decode(text.slice(start, eq));
      const value = eq === end ? '' : decode(text.slice(eq + 1, end));
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
 * The names of PROTOCOL.md's poll parameters. A name cut from the text is a
 * new string, which V8 must look up in its table of property names before it
 * can key a field; these constants are in it already.
 */
const POLL_NAMES = ['since', 'room', 'epoch', 'timeout', 'limit'] as const;

/** pollName is the poll parameter named by text[start, end), or undefined when it names another. */
function pollName(text: string, start: number, end: number): string | undefined {
  const length = end - start;
  for (const name of POLL_NAMES) if (name.length === length && text.startsWith(name, start)) return name;
  return undefined;
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
