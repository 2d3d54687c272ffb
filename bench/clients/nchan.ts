import { openMany, RawConnection } from '../http/raw-connection.ts';
import type { TargetServer } from '../types.ts';
import { keepPolling, publisherOn, type ChatClient, type Publisher, type SubscriberHooks, type Subscribers } from './chat-client.ts';

/**
 * nchan's long-poll protocol, as its documentation gives it: a poll
 * carries the position of the last message it got as `If-Modified-Since`
 * and `If-None-Match` (the answer's `Last-Modified` and `Etag`), and asks
 * with `Accept: multipart/mixed` for every message waiting in one answer
 * (bench/peers/nchan.conf answers those one per line). A post is the
 * message's own bytes to the publisher location; 201 or 202 accepts it.
 * The channel is the room, `?room=` at both locations.
 */

const LAST_MODIFIED = /\r\nlast-modified: *([^\r]*)/i;
const ETAG = /\r\netag: *([^\r]*)/i;
const SUBSCRIBERS = /^subscribers: *([0-9]+)$/m;

/** parseLines reads the texts of a multipart answer in nchan's raw form: one message per line. */
export function parseLines(body: Buffer): string[] {
  return body
    .toString()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { text: string }).text);
}

export async function openNchanClient(target: TargetServer, room: string): Promise<ChatClient> {
  const host = `Host: ${target.host}:${target.port}\r\n`;
  const subscribe = `GET /sub?room=${room} HTTP/1.1\r\n${host}Accept: multipart/mixed\r\n`;
  const control = await RawConnection.open(target.port, target.host);
  const opened: RawConnection[] = [control];
  return {
    async subscribers(count: number, hooks: SubscriberHooks): Promise<Subscribers> {
      const connections = await openMany(count, target.port, target.host);
      opened.push(...connections);
      // Where each subscriber is: the headers of its next poll.
      const positions: string[] = new Array<string>(count).fill('');
      return keepPolling(connections, parseLines, (i) => `${subscribe}${positions[i]}\r\n`, hooks, (i, response) => {
        const lastModified = LAST_MODIFIED.exec(response.head)?.[1];
        const etag = ETAG.exec(response.head)?.[1];
        if (lastModified === undefined || etag === undefined) throw new Error(`nchan answered a poll without Last-Modified and Etag: ${response.head}`);
        positions[i] = `If-Modified-Since: ${lastModified}\r\nIf-None-Match: ${etag}\r\n`;
      });
    },

    async publisher(name: string): Promise<Publisher> {
      const connection = await RawConnection.open(target.port, target.host);
      opened.push(connection);
      const head = `POST /pub?room=${room} HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: `;
      const post = (text: string): string => {
        const body = JSON.stringify({ author: name, text });
        return `${head}${Buffer.byteLength(body)}\r\n\r\n${body}`;
      };
      return publisherOn(connection, post, (status) => status === 201 || status === 202);
    },

    async heldPolls(): Promise<number> {
      const response = await control.exchange(`GET /health HTTP/1.1\r\n${host}\r\n`);
      const held = SUBSCRIBERS.exec(response.body.toString())?.[1];
      if (response.status !== 200 || held === undefined) throw new Error(`nchan: GET /health answered ${response.status} ${response.body.toString().slice(0, 200)}`);
      return Number(held);
    },

    close: () => opened.forEach((connection) => connection.close()),
  };
}
