import { beforeEach, describe, expect, it } from 'vitest';
import { createSeen } from '../../web/seen.js';

// The page's own module, run outside a browser: localStorage is all it needs.
const saved = new Map<string, string>();
globalThis.localStorage = {
  getItem: (key: string) => saved.get(key) ?? null,
  setItem: (key: string, value: string) => void saved.set(key, value),
} as Storage;

const message = (id: number, type: 'message' | 'join' | 'leave' = 'message') => ({ id, type });
const listed = (name: string, lastId: number, messages?: number) => ({ name, lastId, messages });

beforeEach(() => saved.clear());

describe('seen (the page’s unread counts)', () => {
  it('counts posted messages after the last one read, not join and leave lines', () => {
    const seen = createSeen();
    seen.useEpoch('e1');
    seen.read('town', [message(1, 'join'), message(2), message(3, 'leave')]);
    // Since then: a join (4), two messages (5, 6), a leave (7).
    expect(seen.unread(listed('town', 7, 3))).toBe(2);
    expect(seen.unread(listed('never-opened', 9, 4))).toBe(4);
  });

  it('counts by ids alone when the server lists no message count', () => {
    const seen = createSeen();
    seen.useEpoch('e1');
    seen.read('town', [message(1), message(2)]);
    expect(seen.unread(listed('town', 5))).toBe(3);
  });

  it('after a gap in what it read, waits for a listing at exactly its id to count again', () => {
    const seen = createSeen();
    seen.useEpoch('e1');
    seen.read('town', [message(1), message(2)]);
    seen.read('town', [message(40), message(41)]); // 3…39 dropped from the server's history unseen
    expect(seen.unread(listed('town', 45, 30))).toBe(4); // by ids, for want of a count
    seen.listed(listed('town', 45, 30)); // not at our id: teaches nothing
    expect(seen.unread(listed('town', 45, 30))).toBe(4);
    seen.listed(listed('town', 41, 27));
    expect(seen.unread(listed('town', 45, 30))).toBe(3);
  });

  it('remembers across pages of the same epoch, and forgets on a new one', () => {
    const first = createSeen();
    first.useEpoch('e1');
    first.read('town', [message(1), message(2)]);
    const second = createSeen();
    second.useEpoch('e1');
    expect(second.unread(listed('town', 3, 3))).toBe(1);
    second.useEpoch('e2');
    expect(second.unread(listed('town', 3, 3))).toBe(3);
  });

  it('ignores what it has read before and what is not a message', () => {
    const seen = createSeen();
    seen.useEpoch('e1');
    seen.read('town', [message(1), message(2)]);
    seen.read('town', [message(1), message(2), { id: 'x' }, null]);
    expect(seen.unread(listed('town', 2, 2))).toBe(0);
    expect(seen.unread(listed('constructor', 1, 1))).toBe(1);
  });
});
