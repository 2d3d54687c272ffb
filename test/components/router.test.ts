import { describe, expect, it } from 'vitest';
import Router from '../../components/router.ts';
import type { Reply } from '../../src/protocol/packets.ts';
import { harness } from '../helpers/component-harness.ts';
import { fakeRequest } from '../helpers/fake-request.ts';

describe('Router', () => {
  it.each([
    ['GET', '/gochat/chat', 'poll'],
    ['POST', '/gochat/chat', 'post'],
    ['GET', '/gochat/chat/', 'poll'],
    ['GET', '/gochat/chat/health', 'health'],
    ['GET', '/gochat/chat/graph', 'graph'],
  ])('sends %s %s to %s', async (method, path, port) => {
    const router = harness(Router);
    const request = fakeRequest({ method, path });
    await router.send('in', request);
    expect(router.sent[port]).toEqual([request]);
  });

  it.each(['/gochat/chat/nope', '/gochat/chatter', '/gochat/chat/health/x', '/elsewhere'])('answers 404 NOT_FOUND for %s', async (path) => {
    const router = harness(Router);
    await router.send('in', fakeRequest({ path }));
    expect(router.sent.error).toEqual([expect.objectContaining({ status: 404, body: expect.objectContaining({ error: expect.objectContaining({ code: 'NOT_FOUND' }) }) })]);
  });

  it('answers 405 with Allow for a known path and a wrong method', async () => {
    const router = harness(Router);
    await router.send('in', fakeRequest({ method: 'DELETE', path: '/gochat/chat' }));
    await router.send('in', fakeRequest({ method: 'POST', path: '/gochat/chat/health' }));
    const [poll, health] = router.sent.error as Reply[];
    expect(poll).toMatchObject({ status: 405, headers: { allow: 'GET, POST' }, body: { error: { code: 'METHOD_NOT_ALLOWED' } } });
    expect(health).toMatchObject({ status: 405, headers: { allow: 'GET' } });
  });

  it('follows the base path setting', async () => {
    const router = harness(Router, { env: { BASE_PATH: '/api/chat' } });
    await router.send('in', fakeRequest({ path: '/api/chat/health' }));
    await router.send('in', fakeRequest({ path: '/gochat/chat/health' }));
    expect(router.sent.health).toHaveLength(1);
    expect(router.sent.error).toHaveLength(1);
  });

  it('treats a route whose out-port is not wired as absent', async () => {
    const router = harness(Router, { unconnected: ['graph', 'post'] });
    await router.send('in', fakeRequest({ path: '/gochat/chat/graph' }));
    await router.send('in', fakeRequest({ method: 'POST', path: '/gochat/chat' }));
    const [graph, post] = router.sent.error as Reply[];
    expect(graph?.status).toBe(404);
    expect(post).toMatchObject({ status: 405, headers: { allow: 'GET' } });
  });

  it('finds the routes again when a reload rewires it, B itself included', async () => {
    const router = harness(Router);
    const post = (): Promise<void> => router.send('in', fakeRequest({ method: 'POST', path: '/gochat/chat' }));
    await post();
    router.rewire(['post']);
    await post();
    router.rewire([]);
    await post();
    expect(router.sent.post).toHaveLength(2);
    expect(router.sent.error).toEqual([expect.objectContaining({ status: 405, headers: { allow: 'GET' } })]);
  });
});
