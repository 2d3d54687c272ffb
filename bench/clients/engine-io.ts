import { openMany, RawConnection, type RawResponse } from '../http/raw-connection.ts';
import type { TargetServer } from '../types.ts';
import { keepPolling, publisherOn, type ChatClient, type Publisher, type SubscriberHooks, type Subscribers } from './chat-client.ts';

/**
 * socket.io's client protocol on Engine.IO v4's polling transport, as
 * socket.io-client speaks it with `transports: ['polling']`, written over
 * raw connections like the other clients so the load generator costs the
 * same per request whichever server it drives:
 *
 *   GET  /socket.io/?EIO=4&transport=polling        → 0{"sid":…}   (open)
 *   POST …&sid=S   40                                → ok          (connect to "/")
 *   GET  …&sid=S                                     → 40{"sid":…} (connected)
 *   GET  …&sid=S   held until the server has packets → 42["message",{…}]␞42[…]
 *   POST …&sid=S   42["post",{…}]                    → ok          (an event)
 *
 * A subscriber names its room in the handshake's query (bench/peers/
 * socketio-server.ts joins it on connection); a publisher names none and
 * receives nothing. Each client is one connection: a publisher never polls
 * after connecting, and a subscriber never posts after it.
 */

const PATH = '/socket.io/?EIO=4&transport=polling';
/** Engine.IO v4 separates the packets of one polling payload with U+001E. */
const SEPARATOR = '\u001e';
const SERVER_ONLY_KEYS = /^0(\{.*\})$/;

/** parsePayload reads the texts of the `message` events in a polling payload, as socket.io-client would decode them. */
export function parsePayload(body: Buffer): string[] {
  const texts: string[] = [];
  for (const packet of body.toString().split(SEPARATOR)) {
    if (!packet.startsWith('42')) continue;
    const [event, data] = JSON.parse(packet.slice(2)) as [string, { text: string }];
    if (event === 'message') texts.push(data.text);
  }
  return texts;
}

class EngineRequests {
  private readonly host: string;

  constructor(target: TargetServer) {
    this.host = `Host: ${target.host}:${target.port}\r\n`;
  }

  handshake(room?: string): string {
    const query = room === undefined ? '' : `&room=${room}`;
    return `GET ${PATH}${query} HTTP/1.1\r\n${this.host}\r\n`;
  }

  poll(sid: string): string {
    return `GET ${PATH}&sid=${sid} HTTP/1.1\r\n${this.host}\r\n`;
  }

  send(sid: string, payload: string): string {
    return `POST ${PATH}&sid=${sid} HTTP/1.1\r\n${this.host}Content-Type: text/plain;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`;
  }

  health(): string {
    return `GET /health HTTP/1.1\r\n${this.host}\r\n`;
  }
}

function matchAnswer(response: RawResponse, status: number, body: RegExp, what: string): RegExpExecArray {
  const match = body.exec(response.body.toString());
  if (response.status !== status || match === null) throw new Error(`socket.io: ${what} answered ${response.status} ${response.body.toString().slice(0, 200)}`);
  return match;
}

/** connect opens the Engine.IO session and the socket.io connection on `connection`; returns the session id. */
async function connect(connection: RawConnection, requests: EngineRequests, room?: string): Promise<string> {
  const [, open] = matchAnswer(await connection.exchange(requests.handshake(room)), 200, SERVER_ONLY_KEYS, 'the handshake');
  const { sid } = JSON.parse(open as string) as { sid: string };
  matchAnswer(await connection.exchange(requests.send(sid, '40')), 200, /^ok$/, 'the connect packet');
  matchAnswer(await connection.exchange(requests.poll(sid)), 200, /^40\{/, 'the first poll');
  return sid;
}

export async function openEngineIoClient(target: TargetServer, room: string): Promise<ChatClient> {
  const requests = new EngineRequests(target);
  const control = await RawConnection.open(target.port, target.host);
  const opened: RawConnection[] = [control];
  return {
    async subscribers(count: number, hooks: SubscriberHooks): Promise<Subscribers> {
      const connections = await openMany(count, target.port, target.host);
      opened.push(...connections);
      const sids: string[] = new Array<string>(count);
      let next = 0;
      const handshakes = async (): Promise<void> => {
        while (next < count) {
          const i = next++;
          sids[i] = await connect(connections[i] as RawConnection, requests, room);
        }
      };
      await Promise.all(Array.from({ length: Math.min(200, count) }, handshakes));
      const polls = sids.map((sid) => requests.poll(sid));
      return keepPolling(connections, parsePayload, (i) => polls[i] as string, hooks);
    },

    async publisher(name: string): Promise<Publisher> {
      const connection = await RawConnection.open(target.port, target.host);
      opened.push(connection);
      const sid = await connect(connection, requests);
      const payload = (text: string): string => `42${JSON.stringify(['post', { room, author: name, text }])}`;
      return publisherOn(connection, (text) => requests.send(sid, payload(text)), (status) => status === 200);
    },

    async heldPolls(): Promise<number> {
      const response = await control.exchange(requests.health());
      if (response.status !== 200) throw new Error(`socket.io peer: GET /health answered ${response.status}`);
      return (JSON.parse(response.body.toString()) as { heldPolls: number }).heldPolls;
    },

    close: () => opened.forEach((connection) => connection.close()),
  };
}
