import { describe, expect, it } from 'vitest';
import SendController from '../../components/send-controller.ts';
import type { PostCommand, Reply } from '../../src/protocol/packets.ts';
import { harness } from '../helpers/component-harness.ts';
import { fakeRequest } from '../helpers/fake-request.ts';

async function post(body: unknown, query: Record<string, string> = {}, maxText?: number) {
  const controller = harness(SendController);
  // gochat's open posting: these posts carry their author, not a session.
  await controller.send('sessionRequired', false);
  if (maxText !== undefined) await controller.send('maxText', maxText);
  await controller.send('in', fakeRequest({ method: 'POST', body, query }));
  return { command: controller.sent.post?.[0] as PostCommand | undefined, error: controller.sent.error?.[0] as Reply | undefined };
}

const ok = { author: 'alice', text: 'hi' };

describe('SendController', () => {
  it('passes a good post on, in the lobby by default', async () => {
    const { command } = await post({ ...ok, nonce: 'V1StGXR8_Z5jdHi6B-myT' });
    expect(command).toMatchObject({ room: 'lobby', author: 'alice', text: 'hi', nonce: 'V1StGXR8_Z5jdHi6B-myT' });
  });

  it('marks a post sent with "private": true, and refuses a "private" that is not true or false', async () => {
    expect((await post(ok)).command?.mustBePrivate).toBe(false);
    expect((await post({ ...ok, private: true })).command?.mustBePrivate).toBe(true);
    expect((await post({ ...ok, private: false })).command?.mustBePrivate).toBe(false);
    const { error } = await post({ ...ok, private: 'yes' });
    expect(error?.status).toBe(400);
    expect(error?.body).toMatchObject({ error: { code: 'BAD_FIELD' } });
  });

  it('takes the room from the body or the query', async () => {
    expect((await post({ ...ok, room: 'dev' })).command?.room).toBe('dev');
    expect((await post(ok, { room: 'ops' })).command?.room).toBe('ops');
    expect((await post({ ...ok, room: 'ops' }, { room: 'ops' })).command?.room).toBe('ops');
  });

  it('takes emoji joined by zero-width joiners, and a zero-width character beside visible text', async () => {
    expect((await post({ author: 'a', text: '👨\u200d👩\u200d👧' })).command?.text).toBe('👨\u200d👩\u200d👧');
    expect((await post({ author: 'a', text: 'a\u200bb' })).command?.text).toBe('a\u200bb');
  });

  it('NFC-normalises text and keeps it otherwise unchanged', async () => {
    const { command } = await post({ author: 'Zoe\u0308', text: '  cafe\u0301\n\tok  ' });
    expect(command?.text).toBe('  caf\u00e9\n\tok  ');
    expect(command?.author).toBe('Zo\u00eb');
  });

  it('counts characters as code points: 4000 emoji fit, and are stored whole', async () => {
    expect((await post({ author: 'a', text: '😀'.repeat(4000) })).command?.text).toBe('😀'.repeat(4000));
    expect((await post({ author: 'a', text: '😀'.repeat(4001) })).error?.body).toMatchObject({ error: { code: 'BAD_TEXT' } });
    expect((await post({ author: '😀'.repeat(64), text: 'x' })).command?.author).toBe('😀'.repeat(64));
    expect((await post({ author: '😀'.repeat(65), text: 'x' })).error?.body).toMatchObject({ error: { code: 'BAD_AUTHOR' } });
  });

  it('counts after trimming, and passes the value on untrimmed (PROTOCOL.md stores it unchanged but for NFC)', async () => {
    const author = ' '.repeat(10) + 'a'.repeat(64) + ' ';
    expect((await post({ author, text: ' x ' })).command).toMatchObject({ author, text: ' x ' });
    expect((await post({ author: ` ${'a'.repeat(65)} `, text: 'x' })).error?.body).toMatchObject({ error: { code: 'BAD_AUTHOR' } });
  });

  it('follows the maxText setting', async () => {
    expect((await post({ author: 'a', text: 'abcd' }, {}, 3)).error?.body).toMatchObject({
      error: { code: 'BAD_TEXT', message: 'text must be a string of 1 to 3 characters after trimming, with something visible and no control characters other than newline and tab' },
    });
  });

  it.each<[string, unknown, string, number?]>([
    ['no text', { author: 'a' }, 'BAD_TEXT'],
    ['blank text', { author: 'a', text: ' \n\t ' }, 'BAD_TEXT'],
    ['text of 4001 characters', { author: 'a', text: 'x'.repeat(4001) }, 'BAD_TEXT'],
    ['text with a carriage return', { author: 'a', text: 'a\rb' }, 'BAD_TEXT'],
    ['text with NUL', { author: 'a', text: 'a\u0000b' }, 'BAD_TEXT'],
    ['text with U+0085', { author: 'a', text: 'a\u0085b' }, 'BAD_TEXT'],
    ['text that is a number', { author: 'a', text: 5 }, 'BAD_TEXT'],
    ['text with a lone surrogate', { author: 'a', text: 'a\ud800b' }, 'BAD_TEXT'],
    ['text that is a lone low surrogate', { author: 'a', text: '\udc00' }, 'BAD_TEXT'],
    ['text of zero-width characters only', { author: 'a', text: '\u200b\u200c\u200d\u2060\ufeff' }, 'BAD_TEXT'],
    ['text of zero-width characters and spaces', { author: 'a', text: ' \u200b \n\u200b ' }, 'BAD_TEXT'],
    ['an author of zero-width characters only', { author: '\u200b', text: 'hi' }, 'BAD_AUTHOR'],
    ['an author with a lone surrogate', { author: 'a\udbff', text: 'hi' }, 'BAD_AUTHOR'],
    ['text given twice in a form', { author: 'a', text: ['x', 'y'] }, 'BAD_TEXT'],
    ['no author', { text: 'hi' }, 'BAD_AUTHOR'],
    ['an empty author', { author: '', text: 'hi' }, 'BAD_AUTHOR'],
    ['an author of 65 characters', { author: 'a'.repeat(65), text: 'hi' }, 'BAD_AUTHOR'],
    ['an author with a newline', { author: 'a\nb', text: 'hi' }, 'BAD_AUTHOR'],
    ['an author with a tab', { author: 'a\tb', text: 'hi' }, 'BAD_AUTHOR'],
    ['a bad room', { ...ok, room: 'No Room' }, 'BAD_ROOM'],
    ['an empty room', { ...ok, room: '' }, 'BAD_ROOM'],
    ['an empty nonce', { ...ok, nonce: '' }, 'BAD_NONCE'],
    ['a null nonce', { ...ok, nonce: null }, 'BAD_NONCE'],
    ['a nonce with a space', { ...ok, nonce: 'a b' }, 'BAD_NONCE'],
    ['a nonce of 65 characters', { ...ok, nonce: 'n'.repeat(65) }, 'BAD_NONCE'],
    ['a JSON array body', [ok], 'BAD_JSON'],
    ['a JSON string body', 'hi', 'BAD_JSON'],
    ['a null body', null, 'BAD_JSON'],
    ['no body at all', undefined, 'UNSUPPORTED_MEDIA_TYPE', 415],
  ])('refuses %s with %s', async (_name, body, code, status = 400) => {
    const { command, error } = await post(body);
    expect(command).toBeUndefined();
    expect(error).toMatchObject({ status, body: { error: { code } } });
  });

  it('refuses a room that differs between body and query', async () => {
    const { error } = await post({ ...ok, room: 'a' }, { room: 'b' });
    expect(error?.body).toEqual({ error: { code: 'BAD_ROOM', message: 'room is "a" in the body but "b" in the query; send it once' } });
  });
});
