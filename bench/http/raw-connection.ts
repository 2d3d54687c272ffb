import net from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * RawConnection is one keep-alive HTTP/1.1 client connection over a plain
 * socket: it writes pre-built request text and parses only what the bench
 * needs from the answer (status, content-length, body). node:http's client
 * costs several times more per request, and with 10,000 connections on one
 * core the load generator, not the server, would set the pace.
 *
 * One request at a time per connection; the answer must carry a
 * content-length (every server the bench drives sends one).
 */

export interface RawResponse {
  readonly status: number;
  /** The status line and headers, undecoded: a client that needs a header searches it. */
  readonly head: string;
  readonly body: Buffer;
}

/** ResponseHandler gets the answer and performance.now() at the moment its last byte was parsed. */
export type ResponseHandler = (response: RawResponse, at: number) => void;

/** LostHandler is told when the connection ends while a request waits for its answer. */
export type LostHandler = (reason: string) => void;

const HEADER_END = Buffer.from('\r\n\r\n');

export class RawConnection {
  private pending: Buffer | undefined;
  private handler: ResponseHandler | undefined;
  private lost: LostHandler | undefined;
  private closedByUs = false;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => {
      // 'close' follows and reports it.
    });
    socket.on('close', () => {
      const { lost, handler } = this;
      this.handler = undefined;
      if (!this.closedByUs && handler !== undefined) lost?.('the server closed the connection before answering');
    });
  }

  /** open connects to host:port. */
  static open(port: number, host: string): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  get busy(): boolean {
    return this.handler !== undefined;
  }

  /** onLost sets who hears of a connection lost mid-request. */
  onLost(lost: LostHandler): void {
    this.lost = lost;
  }

  /** send writes a whole request; `onResponse` runs once when its answer has been read. */
  send(request: string | Buffer, onResponse: ResponseHandler): void {
    if (this.handler !== undefined) throw new Error('RawConnection sends one request at a time; wait for the answer first');
    this.handler = onResponse;
    this.socket.write(request);
  }

  /** exchange sends a request and resolves with its answer. */
  exchange(request: string | Buffer): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      this.lost = reject;
      this.send(request, (response) => resolve(response));
    });
  }

  /** close drops the connection at once, as a client that goes away does. */
  close(): void {
    this.closedByUs = true;
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    let data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    while (data.length > 0) {
      const headerEnd = data.indexOf(HEADER_END);
      if (headerEnd === -1) break;
      const head = data.toString('latin1', 0, headerEnd);
      const length = contentLength(head);
      const end = headerEnd + 4 + length;
      if (data.length < end) break;
      const response: RawResponse = { status: Number(head.slice(9, 12)), head, body: data.subarray(headerEnd + 4, end) };
      const handler = this.handler;
      this.handler = undefined;
      if (handler === undefined) throw new Error(`An answer came that no request asked for: ${head.split('\r\n')[0]}`);
      handler(response, performance.now());
      data = data.subarray(end);
    }
    if (data.length > 0) this.pending = data;
  }
}

function contentLength(head: string): number {
  const at = head.search(/\r\ncontent-length:/i);
  if (at === -1) {
    throw new Error(`An answer came without content-length, which the bench client does not parse: ${head.split('\r\n')[0]}`);
  }
  return parseInt(head.slice(at + 17), 10);
}

/**
 * openMany opens `count` connections, `concurrency` at a time, so the
 * server's accept backlog never overflows (an overflow costs a 1 s SYN retry
 * and would show up as a delay that is not the server's).
 */
export async function openMany(count: number, port: number, host: string, concurrency = 200): Promise<RawConnection[]> {
  const connections: RawConnection[] = new Array<RawConnection>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      connections[index] = await RawConnection.open(port, host);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return connections;
}
