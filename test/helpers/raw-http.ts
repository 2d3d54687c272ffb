import { once } from 'node:events';
import net from 'node:net';

/** RawAnswer is one HTTP answer as read off the wire. */
export interface RawAnswer {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Map<string, string>;
  readonly body: string;
}

/**
 * parseAnswers splits what a server wrote on a connection into its answers,
 * each framed by content-length, but for those `bodiless` names (a 204, the
 * answer to a HEAD): the status and the answer's place on the connection.
 */
export function parseAnswers(text: string, bodiless: (status: number, index: number) => boolean = (status) => status === 204): RawAnswer[] {
  const answers: RawAnswer[] = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) throw new Error(`an answer without the end of its head: ${JSON.stringify(rest.slice(0, 200))}`);
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n');
    const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    const status = Number(statusLine.split(' ')[1]);
    const length = bodiless(status, answers.length) ? 0 : Number(headers.get('content-length'));
    if (!Number.isInteger(length)) throw new Error(`an answer without content-length: ${statusLine}`);
    const body = Buffer.from(rest.slice(end + 4), 'utf8').subarray(0, length).toString('utf8');
    answers.push({ status, headers, body });
    rest = rest.slice(end + 4 + body.length);
  }
  return answers;
}

/** RawConnection is a connection to a server: bytes written as given, and all it writes until it closes the connection. */
export interface RawConnection {
  write(bytes: string | Buffer): void;
  /** What the server has written so far. */
  received(): string;
  /** Everything the server wrote, once it closed the connection (or `withinMs` passed: then the connection is destroyed and `closed` is false). */
  readonly ended: Promise<{ text: string; closed: boolean }>;
}

export async function rawConnection(origin: string, withinMs = 10_000): Promise<RawConnection> {
  const url = new URL(origin);
  const socket = net.connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  let text = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => undefined);
  const ended = new Promise<{ text: string; closed: boolean }>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, withinMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
  return { write: (bytes) => void socket.write(bytes), received: () => text, ended };
}
