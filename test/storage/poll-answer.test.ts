import { describe, expect, it } from 'vitest';
import { pollCommand } from '../../components/controller.ts';
import type { JsonText } from '../../src/protocol/packets.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { pollAnswer } from '../../src/storage/poll-answer.ts';
import { SharedAnswers } from '../../src/storage/shared-answers.ts';
import { fakeRequest } from '../helpers/fake-request.ts';

const MAX_BYTES = 1024 * 1024;

/** answer is what pollAnswer gives a poll with this query now (the in-memory store answers at once). */
function answer(store: MemoryStore, shared: SharedAnswers, query: Record<string, string>): JsonText | undefined {
  return pollAnswer(store, pollCommand(fakeRequest({ query })), MAX_BYTES, shared) as JsonText | undefined;
}

const post = (store: MemoryStore, room: string, text: string) => store.append({ room, type: 'message', author: 'a', text });

describe('pollAnswer', () => {
  it('gives polls that ask a room the same thing one answer, until the room changes', () => {
    const store = new MemoryStore();
    const shared = new SharedAnswers();
    for (const text of ['one', 'two', 'three']) post(store, 'r', text);
    const first = answer(store, shared, { room: 'r', since: '1' });
    expect(JSON.parse(first?.text ?? '').messages.map((m: { text: string }) => m.text)).toEqual(['two', 'three']);
    expect(answer(store, shared, { room: 'r', since: '1' })).toBe(first);
    // Another question about the same room is answered afresh.
    expect(answer(store, shared, { room: 'r', since: '2' })).not.toBe(first);
    post(store, 'r', 'four');
    const after = answer(store, shared, { room: 'r', since: '1' });
    expect(JSON.parse(after?.text ?? '').messages.map((m: { text: string }) => m.text)).toEqual(['two', 'three', 'four']);
  });

  it('holds a poll that may wait where one that may not was answered empty, in a room whose entries all left', () => {
    // A budget that room "y"'s long message fills: "x" keeps its last id, 1, and no entry.
    const store = new MemoryStore({ maxBytes: 300 });
    const shared = new SharedAnswers();
    post(store, 'x', 'one');
    post(store, 'y', 'y'.repeat(200));
    expect(store.read('x', 0, 10)).toMatchObject({ lastId: 1, firstId: 2 });
    const now = answer(store, shared, { room: 'x', since: '0', timeout: '0' });
    expect(JSON.parse(now?.text ?? '')).toMatchObject({ messages: [], next: 0 });
    expect(answer(store, shared, { room: 'x', since: '0', timeout: '25' })).toBeUndefined();
  });
});
