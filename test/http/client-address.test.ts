import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { clientAddressOf, trustOf } from '../../src/http/client-address.ts';

// Polls skip fastify, so their packets read the client's address themselves: it must be fastify's `request.ip`, whatever TRUST_PROXY says.
const SETTINGS: readonly (string | false)[] = [false, 'loopback', '192.0.2.1', '10.0.0.0/8, 127.0.0.1', 'loopback,203.0.113.9'];
const CHAINS: readonly (string | undefined)[] = [undefined, '203.0.113.7', '198.51.100.1, 203.0.113.9', '198.51.100.1, 10.1.2.3', 'not an address', ''];

const servers: { close(): Promise<void> }[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

/** addresses starts fastify with TRUST_PROXY `setting` and asks it, for each X-Forwarded-For chain, both fastify's reading and ours. */
async function addresses(setting: string | false): Promise<{ fastify: string; ours: string }[]> {
  const trust = trustOf(setting);
  const fastify = Fastify({ trustProxy: trust });
  fastify.get('/', async (req) => ({ fastify: req.ip, ours: clientAddressOf(req.raw, trust) }));
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  servers.push(fastify);
  const url = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}/`;
  return Promise.all(
    CHAINS.map(async (chain) => {
      const answer = await fetch(url, { headers: chain === undefined ? {} : { 'x-forwarded-for': chain } });
      return (await answer.json()) as { fastify: string; ours: string };
    }),
  );
}

describe('clientAddressOf', () => {
  it.each(SETTINGS)('reads the address fastify reads, with TRUST_PROXY %s', async (setting) => {
    for (const { fastify, ours } of await addresses(setting)) expect(ours).toBe(fastify);
  });

  it('believes X-Forwarded-For from a trusted proxy alone, up to the first hop it does not trust', async () => {
    const read = (await addresses('loopback,203.0.113.9')).map((a) => a.ours);
    expect(read.slice(0, 4)).toEqual(['127.0.0.1', '203.0.113.7', '198.51.100.1', '10.1.2.3']);
    expect((await addresses(false)).map((a) => a.ours)).toEqual(CHAINS.map(() => '127.0.0.1'));
  });
});
