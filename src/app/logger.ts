import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

/** AppLogger is flowchat's one logger: the network's, the adapter's and fastify's requests' alike. */
export type AppLogger = PinoLogger;

/**
 * createLogger makes the JSON logger that writes every line flowchat logs,
 * to stdout unless a destination is given (tests pass one to read the lines).
 * It is made here rather than by fastify: see server.ts for why fastify
 * itself is given none.
 */
export function createLogger(level: string, destination?: DestinationStream): AppLogger {
  return destination === undefined ? pino({ level }) : pino({ level }, destination);
}
