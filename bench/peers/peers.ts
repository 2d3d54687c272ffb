import { createRequire } from 'node:module';
import type { ServerName } from '../types.ts';
import { nchanMissing } from './nchan.ts';

/** The peers `npm run bench` measures flowchat against, beside the baseline. */
export const PEER_NAMES = ['socketio', 'nchan'] as const satisfies readonly ServerName[];
export type PeerName = (typeof PEER_NAMES)[number];

/** peerMissing says why a peer cannot run on this machine, or undefined when it can. */
export function peerMissing(name: PeerName): string | undefined {
  switch (name) {
    case 'socketio':
      try {
        createRequire(import.meta.url).resolve('socket.io');
        return undefined;
      } catch {
        return 'socket.io is not installed (a devDependency: npm ci)';
      }
    case 'nchan':
      return nchanMissing();
  }
}
