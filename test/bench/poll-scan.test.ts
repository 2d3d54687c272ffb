import { describe, expect, it } from 'vitest';
import { parsePayload } from '../../bench/clients/engine-io.ts';
import { parseLines } from '../../bench/clients/nchan.ts';
import { crossCheck, readDecimals, readNext, scanTexts } from '../../bench/http/poll-scan.ts';

const message = (id: number, text: string): string =>
  JSON.stringify({ id, room: 'throughput', type: 'message', author: `pub${id % 7}`, text, time: 1_795_457_870_448 + id });

const answer = (messages: string[], next: number): Buffer =>
  Buffer.from(`{"epoch":"k3JpQ0v1","room":"throughput","messages":[${messages.join(',')}],"next":${next},"more":false,"reset":false,"truncated":false}`);

const parseAnswer = (body: Buffer): string[] => (JSON.parse(body.toString()) as { messages: { text: string }[] }).messages.map((m) => m.text);

function texts(body: Buffer): string[] {
  const found: string[] = [];
  scanTexts(body, (start, end) => found.push(body.toString('utf8', start, end)));
  return found;
}

describe('bench answer scanner', () => {
  it.each([
    ['no message', answer([], 41), 41, []],
    ['one message', answer([message(7, '7')], 7), 7, ['7']],
    ['several messages', answer([message(98, '3 17 1234.567'), message(99, '0 0 1.5'), message(100, '31 4095 99999.125')], 100), 100, ['3 17 1234.567', '0 0 1.5', '31 4095 99999.125']],
  ])("reads the texts and next of PROTOCOL.md's answer with %s as JSON.parse does", (_, body, next, expected) => {
    expect(texts(body)).toEqual(expected);
    expect(readNext(body)).toBe(next);
    expect(() => crossCheck(body, parseAnswer)).not.toThrow();
  });

  it('reads a message with a nonce, whose key follows the text', () => {
    const body = answer([JSON.stringify({ id: 3, room: 'r', type: 'message', author: 'a', text: 'hi', time: 1, nonce: 'V1StGXR8' })], 3);
    expect(texts(body)).toEqual(['hi']);
  });

  it("reads socket.io's polling payload, packets apart by U+001E, as its parser does", () => {
    const packet = (text: string): string => `42${JSON.stringify(['message', { id: 1, room: 'r', author: 'a', text }])}`;
    const body = Buffer.from([`40{"sid":"x"}`, packet('1 2 3.5'), packet('0 9 4')].join('\u001e'));
    expect(parsePayload(body)).toEqual(['1 2 3.5', '0 9 4']);
    expect(texts(body)).toEqual(parsePayload(body));
  });

  it("reads nchan's raw multipart answer, one message per line, as its parser does", () => {
    const body = Buffer.from(`{"author":"pub1","text":"1 0 3.25"}\n{"author":"pub0","text":"0 5 7"}\n`);
    expect(parseLines(body)).toEqual(['1 0 3.25', '0 5 7']);
    expect(texts(body)).toEqual(parseLines(body));
  });

  it('refuses an answer its parser reads otherwise', () => {
    const body = answer([message(5, '0 1 2')], 5);
    expect(() => crossCheck(body, () => ['0 1 2', '0 2 3'])).toThrow(/misread an answer/);
  });

  it('parses the publisher, sequence number and send time of a text', () => {
    const body = Buffer.from('xx3 17 1234.567yy');
    const out = new Float64Array(3);
    expect(readDecimals(body, 2, 15, out)).toBe(3);
    expect([...out]).toEqual([3, 17, 1234.567]);
  });
});
