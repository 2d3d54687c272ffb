import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/** Trust is who may name the client in X-Forwarded-For: the proxy's address and its place in the chain. */
export type Trust = (address: string, hop: number) => boolean;

/**
 * trustOf compiles TRUST_PROXY (addresses, CIDR ranges, `loopback`…,
 * comma-separated) as fastify compiles its `trustProxy`. The adapter hands
 * the compiled function to fastify too, so both read a request's address
 * the same way.
 */
export function trustOf(trustProxy: string | false): Trust | false {
  return trustProxy === false ? false : proxyAddr.compile(trustProxy.split(',').map((address) => address.trim()));
}

/**
 * clientAddressOf is the client's address as fastify's `request.ip` gives
 * it, read from node:http's request: polls never pass through fastify's
 * request (server.ts), so every packet works it out itself, when asked.
 */
export function clientAddressOf(raw: IncomingMessage, trust: Trust | false): string {
  if (trust === false) return raw.socket.remoteAddress ?? '';
  return proxyAddr(raw, trust);
}
