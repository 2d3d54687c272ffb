import { writeFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultGraph, isEdge } from '../helpers/graph-file.ts';
import { postJson } from '../helpers/server.ts';
import { openSession } from './chat-api.ts';
import { startStack, type Stack } from './stack.ts';
import { describeE2E } from './system.ts';

const B = '/gochat/chat';

describeE2E('the graph page', () => {
  let stack: Stack;
  let context: BrowserContext;
  let page: Page;
  const errors: Error[] = [];

  beforeAll(async () => {
    stack = await startStack();
    context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error));
    await page.goto(`${stack.origin}/gochat/graph.html`);
    await page.locator('#graph [data-process="Storage"]').waitFor();
  });

  afterAll(async () => {
    await context?.close();
    await stack?.stop();
  });

  const sent = async (key: string) => Number(await page.locator(`#graph [data-connection="${key}"]`).getAttribute('data-sent'));

  it('shows the shipped graph: every process, every connection, the file it came from', async () => {
    const shipped = defaultGraph();
    const processes = await page.locator('#graph [data-process]').evaluateAll((boxes) => boxes.map((b) => b.getAttribute('data-process')));
    expect(processes.sort()).toEqual(Object.keys(shipped.processes).sort());
    const connections = await page.locator('#graph [data-connection]').evaluateAll((edges) => edges.map((e) => e.getAttribute('data-connection')));
    const expected = shipped.connections.filter(isEdge).map((c) => `${c.src.process}.${c.src.port}>${c.tgt.process}.${c.tgt.port}`);
    expect(connections.sort()).toEqual(['(http)>Session.in', ...expected].sort());
    await expect.poll(() => page.locator('#source').textContent()).toContain(stack.graphFile);
    // Laid out left to right in flow order: where requests enter first, where they are answered last.
    const x = (name: string) => page.locator(`#graph [data-process="${name}"]`).evaluate((box) => box.getBoundingClientRect().x);
    expect(await x('Session')).toBeLessThan(await x('Router'));
    expect(await x('Router')).toBeLessThan(await x('Storage'));
    expect(await x('Storage')).toBeLessThan(await x('Responder'));
    expect(errors).toEqual([]);
  });

  it('moves the counters of the connections a post crosses, and no others', async () => {
    const session = await openSession(stack.origin, 'counted');
    const crossed = ['Router.post>SendController.in', 'RateLimit.out>Storage.post', 'Storage.out>Responder.in'];
    await expect.poll(() => sent('Router.session>Session.manage')).toBeGreaterThan(0);
    const before = await Promise.all(crossed.map(sent));
    const polls = await sent('Router.poll>Controller.in');
    expect((await postJson(`${stack.origin}${B}`, { text: 'count me', room: 'graph' }, { authorization: `Bearer ${session.token}` })).status).toBe(201);
    for (const [i, key] of crossed.entries()) await expect.poll(() => sent(key)).toBe((before[i] as number) + 1);
    expect(await sent('Router.poll>Controller.in')).toBe(polls);
  });

  it("lights a traced request's path through the graph, with the time at each hop", async () => {
    const session = await openSession(stack.origin, 'traced');
    const traceId = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    const answer = await postJson(`${stack.origin}${B}`, { text: 'follow me', room: 'graph' }, {
      authorization: `Bearer ${session.token}`,
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect(answer.status).toBe(201);
    const item = page.locator(`#traces li[data-trace-id="${traceId}"]`);
    await item.waitFor();
    await item.locator('button').click();
    for (const name of ['Session', 'Router', 'SendController', 'Rooms', 'RateLimit', 'Storage', 'Responder']) {
      await expect.poll(() => page.locator(`#graph [data-process="${name}"]`).getAttribute('class')).toContain('lit');
      expect(Number(await page.locator(`#graph [data-process="${name}"] [data-hop-ms]`).getAttribute('data-hop-ms'))).toBeGreaterThanOrEqual(0);
    }
    expect(await page.locator('#graph [data-process="Storage"] [data-hop-ms]').textContent()).toMatch(/\d+(\.\d)? (ms|µs)/);
    expect(await page.locator('#graph [data-process="Controller"]').getAttribute('class')).not.toContain('lit');
    expect(await page.locator('#graph [data-connection="RateLimit.out>Storage.post"]').getAttribute('class')).toContain('lit');
    expect(await page.locator('#graph [data-connection="Router.poll>Controller.in"]').getAttribute('class')).not.toContain('lit');
  });

  it('redraws the graph when a reload changes it', async () => {
    const loadedAt = await page.locator('#source').getAttribute('data-loaded-at');
    const graph = defaultGraph();
    delete graph.processes.RateLimit;
    graph.connections = graph.connections.filter((c) => c.tgt.process !== 'RateLimit' && !(isEdge(c) && c.src.process === 'RateLimit'));
    graph.connections.push(
      { src: { process: 'Rooms', port: 'post' }, tgt: { process: 'Storage', port: 'post' } },
      { src: { process: 'Session', port: 'rooms' }, tgt: { process: 'Rooms', port: 'manage' } },
    );
    writeFileSync(stack.graphFile, JSON.stringify(graph));
    stack.backend.child.kill('SIGHUP');
    await page.locator('#graph [data-process="RateLimit"]').waitFor({ state: 'detached' });
    await page.locator('#graph [data-connection="Rooms.post>Storage.post"]').waitFor();
    expect(await page.locator('#source').getAttribute('data-loaded-at')).not.toBe(loadedAt);
    expect(errors).toEqual([]);
  });
});
