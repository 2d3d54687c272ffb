import { describe, expect, it } from 'vitest';
import { JsonText } from '../../src/protocol/packets.ts';
import { SharedAnswers } from '../../src/storage/shared-answers.ts';
import type { Slice } from '../../src/storage/store.ts';

const slice = (lastId: number, firstId = 1): Slice => ({ entries: [], lastId, firstId });

describe('SharedAnswers', () => {
  it('gives an answer back for the same question while the room, its first id and the epoch stay as they were', () => {
    const shared = new SharedAnswers();
    const answer = new JsonText('{"messages":[]}');
    shared.set('e1', 'lobby', slice(5), '3 100 false', answer);
    expect(shared.get('e1', 'lobby', slice(5), '3 100 false')).toBe(answer);
    expect(shared.get('e1', 'lobby', slice(5), '4 100 false')).toBeUndefined();
    expect(shared.get('e1', 'other', slice(5), '3 100 false')).toBeUndefined();
    expect(shared.get('e1', 'lobby', slice(6), '3 100 false')).toBeUndefined();
    expect(shared.get('e1', 'lobby', slice(5, 2), '3 100 false')).toBeUndefined();
    expect(shared.get('e2', 'lobby', slice(5), '3 100 false')).toBeUndefined();
  });

  it('drops what a room kept once it has changed', () => {
    const shared = new SharedAnswers();
    shared.set('e', 'lobby', slice(5), 'a', new JsonText('x'.repeat(100)));
    shared.set('e', 'lobby', slice(6), 'b', new JsonText('y'.repeat(10)));
    expect(shared.size).toBe(10);
    expect(shared.get('e', 'lobby', slice(6), 'a')).toBeUndefined();
  });

  it('keeps within its budget, however many questions a quiet room is asked', () => {
    const shared = new SharedAnswers();
    const big = 'x'.repeat(200_000);
    for (let since = 0; since < 1_000; since++) shared.set('e', 'quiet', slice(1_000), `${since} 1000 false`, new JsonText(big));
    expect(shared.size).toBeLessThanOrEqual(4 * 1024 * 1024);
    // An answer too large to be worth keeping is not kept.
    shared.set('e', 'quiet', slice(1_000), 'huge', new JsonText('x'.repeat(1_000_000)));
    expect(shared.get('e', 'quiet', slice(1_000), 'huge')).toBeUndefined();
  });
});
