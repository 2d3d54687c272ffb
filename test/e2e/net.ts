import { createServer } from 'node:net';

/**
 * freePort asks the kernel for a loopback port nobody uses right now. nginx
 * and the backend need the number before they start, so it is released and
 * reused; a clash in between is possible but shows as a clear start error.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}
