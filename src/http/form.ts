import type { QueryValue } from '../protocol/packets.ts';

/**
 * parseForm reads a query string or an url-encoded body. A name given more
 * than once becomes an array, so the checks can refuse it instead of quietly
 * taking the first or the last.
 */
export function parseForm(text: string): Record<string, QueryValue> {
  const fields: Record<string, QueryValue> = Object.create(null) as Record<string, QueryValue>;
  for (const [name, value] of new URLSearchParams(text)) {
    const earlier = fields[name];
    fields[name] = earlier === undefined ? value : [...(typeof earlier === 'string' ? [earlier] : earlier), value];
  }
  return fields;
}
