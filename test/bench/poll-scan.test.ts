import { describe, expect, it } from 'vitest';
import { crossCheck, readDecimals, scanPollAnswer } from '../../bench/http/poll-scan.ts';

const message = (id: number, text: string): string =>
  JSON.stringify({ id, room: 'throughput', type: 'message', author: `pub${id % 7}`, text, time: 1_795_457_870_448 + id });

const answer = (messages: string[], next: number): Buffer =>
  Buffer.from(`{"epoch":"k3JpQ0v1","room":"throughput","messages":[${messages.join(',')}],"next":${next},"more":false,"reset":false,"truncated":false}`);

function scan(body: Buffer): { next: number; messages: { id: number; text: string }[] } {
  const messages: { id: number; text: string }[] = [];
  const next = scanPollAnswer(body, (id, start, end) => messages.push({ id, text: body.toString('utf8', start, end) }));
  return { next, messages };
}

describe('bench poll-answer scanner', () => {
  it.each([
    ['no message', answer([], 41), { next: 41, messages: [] }],
    ['one message', answer([message(7, 'round 7')], 7), { next: 7, messages: [{ id: 7, text: 'round 7' }] }],
    [
      'several messages',
      answer([message(98, '3 17 1234.567'), message(99, '0 0 1.5'), message(100, '31 4095 99999.125')], 100),
      { next: 100, messages: [{ id: 98, text: '3 17 1234.567' }, { id: 99, text: '0 0 1.5' }, { id: 100, text: '31 4095 99999.125' }] },
    ],
  ])('reads ids, texts and next of an answer with %s as JSON.parse does', (_, body, expected) => {
    expect(scan(body)).toEqual(expected);
    expect(() => crossCheck(body)).not.toThrow();
  });

  it('reads a message with a nonce, whose key follows the text', () => {
    const body = answer([JSON.stringify({ id: 3, room: 'r', type: 'message', author: 'a', text: 'hi', time: 1, nonce: 'V1StGXR8' })], 3);
    expect(scan(body)).toEqual({ next: 3, messages: [{ id: 3, text: 'hi' }] });
  });

  it('refuses an answer laid out otherwise than it expects', () => {
    const textFirst = `{"text":"0 1 2","id":5,"room":"r","type":"message","author":"a","time":1}`;
    expect(() => crossCheck(answer([textFirst, message(6, '0 2 3')], 6))).toThrow(/misread a poll answer/);
  });

  it('parses the publisher, sequence number and send time of a text', () => {
    const body = Buffer.from('xx3 17 1234.567yy');
    const out = new Float64Array(3);
    expect(readDecimals(body, 2, 15, out)).toBe(3);
    expect([...out]).toEqual([3, 17, 1234.567]);
  });
});
