import { describe, expect, it } from 'vitest';
import { parseForm } from '../../src/http/form.ts';

describe('parseForm', () => {
  it.each<[string, Record<string, string | string[]>]>([
    ['', {}],
    ['since=5&room=lobby', { since: '5', room: 'lobby' }],
    ['a=1&a=2&a=3', { a: ['1', '2', '3'] }],
    ['since=', { since: '' }],
    ['flag', { flag: '' }],
    ['text=hello+world%21&x=%E2%9C%93', { text: 'hello world!', x: '✓' }],
    ['a=1&&b=2&', { a: '1', b: '2' }],
    ['bad=%E0%A4%A', { bad: '%E0%A4%A' }],
    ['k%3D=v%26w', { 'k=': 'v&w' }],
    // The poll's own names are matched in place: neighbours of them must stay themselves.
    ['sinc=1&sincee=2&since=3&Room=4', { sinc: '1', sincee: '2', since: '3', Room: '4' }],
    ['room=a&room=b&limit', { room: ['a', 'b'], limit: '' }],
    ['a&b&timeout=5', { a: '', b: '', timeout: '5' }],
    ['epoch=x=y&=z', { epoch: 'x=y', '': 'z' }],
    ['%73ince=1&since=2', { since: ['1', '2'] }],
  ])('reads %j', (text, expected) => {
    expect({ ...parseForm(text) }).toEqual(expected);
  });

  // Linear, this takes milliseconds; a parser quadratic in the repeats (as this one was) takes over a minute, and times out.
  it.each([['a=1&', 'with values'], ['a&', 'without "="']])('reads a name repeated 100,000 times (%s, %s) in one pass', (part) => {
    const fields = parseForm(part.repeat(100_000));
    expect(fields.a).toHaveLength(100_000);
  }, 10_000);

  it('agrees with URLSearchParams on single values', () => {
    const text = 'a=1&b=x%20y&c=%2B&d=+';
    expect({ ...parseForm(text) }).toEqual(Object.fromEntries(new URLSearchParams(text)));
  });

  it('keeps "__proto__" as a plain field, touching no prototype', () => {
    const fields = parseForm('__proto__=x&constructor=y');
    expect(Object.entries(fields)).toEqual([['__proto__', 'x'], ['constructor', 'y']]);
    expect(Object.getPrototypeOf(fields)).not.toBe('x');
  });

  it('inherits nothing, so an inherited name never passes for a field', () => {
    const empty = parseForm('');
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) expect(empty[name]).toBeUndefined();
    expect(parseForm('constructor=1&constructor=2').constructor).toEqual(['1', '2']);
    expect(parseForm('toString=1&toString=2').toString).toEqual(['1', '2']);
  });
});
