import { describe, expect, it } from 'vitest';
import Inspector from '../../components/inspector.ts';
import Responder from '../../components/responder.ts';
import { JsonText, reply } from '../../src/protocol/packets.ts';
import { harness } from '../helpers/component-harness.ts';
import { fakeRequest } from '../helpers/fake-request.ts';

describe('Responder', () => {
  it('answers each reply\'s request with its status, body and headers', async () => {
    const responder = harness(Responder);
    const a = fakeRequest();
    const b = fakeRequest();
    await responder.send('in', reply(a, 201, { ok: true }, { 'x-test': '1' }));
    await responder.send('in', reply(b, 200, new JsonText('{"pre":"made"}')));
    const seen = (answers: typeof a.answers) => answers.map(({ status, body, headers }) => ({ status, body, headers: Object.fromEntries(headers) }));
    expect(seen(a.answers)).toEqual([{ status: 201, body: { ok: true }, headers: { 'x-test': '1' } }]);
    expect(seen(b.answers)).toEqual([{ status: 200, body: { pre: 'made' }, headers: {} }]);
  });
});

describe('Inspector', () => {
  it('answers with the network description', async () => {
    const inspector = harness(Inspector);
    const request = fakeRequest({ path: '/gochat/chat/graph' });
    await inspector.send('in', request);
    expect(inspector.sent.out).toEqual([
      expect.objectContaining({ request, status: 200, body: { name: 'harness', processes: [], connections: [], file: 'graph.json', loadedAt: '2026-01-01T00:00:00.000Z' } }),
    ]);
  });

  it('answers with the traces kept', async () => {
    const inspector = harness(Inspector);
    const request = fakeRequest({ path: '/gochat/chat/graph/traces' });
    await inspector.send('traces', request);
    expect(inspector.sent.out).toEqual([expect.objectContaining({ request, status: 200, body: { traces: [] } })]);
  });
});
