import { describe, expect, it } from 'vitest';
import Controller from '../../components/controller.ts';
import type { PollCommand, Reply } from '../../src/protocol/packets.ts';
import { harness } from '../helpers/component-harness.ts';
import { fakeRequest } from '../helpers/fake-request.ts';

async function poll(query: Record<string, string | string[]>) {
  const controller = harness(Controller);
  const request = fakeRequest({ query });
  await controller.send('in', request);
  return { command: controller.sent.poll?.[0] as PollCommand | undefined, error: controller.sent.error?.[0] as Reply | undefined };
}

describe('Controller', () => {
  it('fills in the defaults of PROTOCOL.md', async () => {
    const { command } = await poll({});
    expect(command).toMatchObject({ since: 0, room: 'lobby', epoch: undefined, timeoutMs: 25_000, limit: 100 });
  });

  it('reads every parameter', async () => {
    const { command } = await poll({ since: '17', room: 'dev-ops_1', epoch: 'k3JpQ0v1', timeout: '2.5', limit: '1000' });
    expect(command).toMatchObject({ since: 17, room: 'dev-ops_1', epoch: 'k3JpQ0v1', timeoutMs: 2500, limit: 1000 });
  });

  it('accepts the largest safe integer as since', async () => {
    const { command } = await poll({ since: '9007199254740991' });
    expect(command?.since).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each<[string, Record<string, string | string[]>, string]>([
    ['negative since', { since: '-1' }, 'BAD_SINCE'],
    ['since with a sign', { since: '+1' }, 'BAD_SINCE'],
    ['since with an exponent', { since: '1e3' }, 'BAD_SINCE'],
    ['since beyond 2^53-1', { since: '9007199254740992' }, 'BAD_SINCE'],
    ['empty since', { since: '' }, 'BAD_SINCE'],
    ['since given twice', { since: ['1', '2'] }, 'BAD_SINCE'],
    ['since with spaces', { since: ' 1' }, 'BAD_SINCE'],
    ['a room with capitals', { room: 'Lobby' }, 'BAD_ROOM'],
    ['a room starting with "-"', { room: '-x' }, 'BAD_ROOM'],
    ['a room of 65 characters', { room: 'a'.repeat(65) }, 'BAD_ROOM'],
    ['an empty room', { room: '' }, 'BAD_ROOM'],
    ['an epoch with a dot', { epoch: 'a.b' }, 'BAD_EPOCH'],
    ['an epoch of 65 characters', { epoch: 'a'.repeat(65) }, 'BAD_EPOCH'],
    ['a timeout over 60', { timeout: '61' }, 'BAD_TIMEOUT'],
    ['a negative timeout', { timeout: '-1' }, 'BAD_TIMEOUT'],
    ['a timeout that is not a number', { timeout: 'soon' }, 'BAD_TIMEOUT'],
    ['limit 0', { limit: '0' }, 'BAD_LIMIT'],
    ['limit 1001', { limit: '1001' }, 'BAD_LIMIT'],
    ['a fractional limit', { limit: '1.5' }, 'BAD_LIMIT'],
  ])('refuses %s with 400 %s', async (_name, query, code) => {
    const { command, error } = await poll(query);
    expect(command).toBeUndefined();
    expect(error).toMatchObject({ status: 400, body: { error: { code } } });
    expect((error?.body as { error: { message: string } }).error.message).toMatch(/must be/);
  });

  it('checks a query once for the polls that share it, each command its own request', async () => {
    const controller = harness(Controller);
    const shared = { since: '5', room: 'ops' };
    const [a, b] = [fakeRequest({ query: shared }), fakeRequest({ query: shared })];
    await controller.send('in', a);
    await controller.send('in', b);
    await controller.send('in', fakeRequest({ query: { since: '6', room: 'ops' } }));
    await controller.send('in', fakeRequest({ query: { since: 'x' } }));
    await controller.send('in', fakeRequest({ query: shared }));
    const polls = (controller.sent.poll ?? []) as PollCommand[];
    expect(polls.map((c) => [c.request, c.since, c.room])).toEqual([
      [a, 5, 'ops'],
      [b, 5, 'ops'],
      [expect.anything(), 6, 'ops'],
      [expect.anything(), 5, 'ops'],
    ]);
    expect(controller.sent.error).toHaveLength(1);
  });
});
