import type { TargetServer } from '../types.ts';
import type { ChatClient } from './chat-client.ts';
import { openEngineIoClient } from './engine-io.ts';
import { openNchanClient } from './nchan.ts';
import { openProtocolClient } from './protocol-md.ts';

/** openChatClient opens the client that speaks `target`'s own protocol on `room`; `limit` caps the messages per answer where the protocol lets a client say so (PROTOCOL.md's). */
export function openChatClient(target: TargetServer, room: string, limit: number): Promise<ChatClient> {
  switch (target.name) {
    case 'flowchat':
    case 'baseline':
      return openProtocolClient(target, room, limit);
    case 'socketio':
      return openEngineIoClient(target, room);
    case 'nchan':
      return openNchanClient(target, room);
  }
}
