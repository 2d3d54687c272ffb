import { createServer } from 'node:net';

// Ports come from below Linux's ephemeral range (32768–60999): no outgoing
// connection can take one while its server is down for a restart (the
// recovery tests restart the backend on the same port). Each vitest worker
// draws from its own block, so test files running in parallel never pick
// the same port.
const FIRST_PORT = 20_000;
const BLOCK_SIZE = 1_000;
const BLOCKS = 12;
const TRIES = 200;

// A port handed out stays reserved for this file, even while nothing listens on it.
const handedOut = new Set<number>();

/**
 * freePort finds a loopback port nobody listens on right now, in this
 * worker's block. nginx and the backend need the number before they start,
 * so it is released and bound again; a clash in between shows as a start
 * error, never as a test talking to another test's server.
 */
export async function freePort(): Promise<number> {
  const worker = Number(process.env.VITEST_POOL_ID ?? 0);
  const base = FIRST_PORT + ((Number.isInteger(worker) ? worker : 0) % BLOCKS) * BLOCK_SIZE;
  for (let attempt = 0; attempt < TRIES; attempt += 1) {
    const port = base + Math.floor(Math.random() * BLOCK_SIZE);
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free loopback port in ${base}–${base + BLOCK_SIZE - 1} after ${TRIES} tries`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
