import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientErrorAnswer, clientErrorCode } from '../../src/http/client-errors.ts';
import { protocolErrors } from '../../src/protocol/errors.ts';
import { parseAnswers, rawConnection, type RawAnswer } from '../helpers/raw-http.ts';
import { call, heldPolls, startServer, waitFor, type TestServer } from '../helpers/server.ts';

/** connect opens a raw connection whose answers are read once the server closes it. */
async function connect(origin: string): Promise<{ write(bytes: string): void; received(): string; answers: Promise<RawAnswer[]> }> {
  const connection = await rawConnection(origin);
  return { ...connection, answers: connection.ended.then(({ text }) => parseAnswers(text)) };
}

/** exchange writes bytes on a fresh connection and reads the answers until the server closes it. */
async function exchange(origin: string, bytes: string): Promise<RawAnswer[]> {
  const connection = await connect(origin);
  connection.write(bytes);
  return connection.answers;
}

/** expectRefusal checks an answer is the protocol's error with this code, and the connection was closed after it. */
function expectRefusal(answer: RawAnswer | undefined, code: keyof typeof protocolErrors): void {
  expect(answer?.status).toBe(protocolErrors[code][0]);
  expect(answer?.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(answer?.headers.get('cache-control')).toBe('no-store');
  expect(answer?.headers.get('connection')).toBe('close');
  expect(JSON.parse(answer?.body ?? '')).toEqual({ error: { code, message: protocolErrors[code][1] } });
}

describe('which error answers a request node:http cannot read', () => {
  it.each([
    ['HPE_INVALID_METHOD', 'BAD_HTTP'],
    ['HPE_INVALID_CONSTANT', 'BAD_HTTP'],
    ['HPE_UNEXPECTED_CONTENT_LENGTH', 'BAD_HTTP'],
    ['HPE_HEADER_OVERFLOW', 'HEADERS_TOO_LARGE'],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 'BODY_TOO_LARGE'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 'REQUEST_TIMEOUT'],
  ])('%s → %s', (nodeCode, code) => {
    expect(clientErrorCode(Object.assign(new Error('parse error'), { code: nodeCode }))).toBe(code);
  });

  it('answers nothing to a client that reset the connection', () => {
    expect(clientErrorCode(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBeUndefined();
  });

  it('writes a whole answer whose content-length is its body\'s in bytes', () => {
    const [answer] = parseAnswers(clientErrorAnswer('HEADERS_TOO_LARGE'));
    expect(answer?.status).toBe(431);
    expect(Buffer.byteLength(answer?.body ?? '')).toBe(Number(answer?.headers.get('content-length')));
    expectRefusal(answer, 'HEADERS_TOO_LARGE');
  });
});

describe('requests node:http cannot read, answered in the protocol\'s shape', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ HEADER_LIMIT: '2048' });
  });
  afterAll(() => server.close());
  const host = (): string => new URL(server.origin).host;

  it('answers a request line that is not HTTP 400 BAD_HTTP and closes the connection', async () => {
    const answers = await exchange(server.origin, 'HELLO\r\n\r\n');
    expect(answers).toHaveLength(1);
    expectRefusal(answers[0], 'BAD_HTTP');
  });

  it('answers a DELETE, then 400 BAD_HTTP to the body it sent unframed, which reads as the next request', async () => {
    const connection = await connect(server.origin);
    connection.write(`DELETE /gochat/chat HTTP/1.1\r\nHost: ${host()}\r\n\r\n`);
    await waitFor(() => connection.received().includes('METHOD_NOT_ALLOWED'));
    connection.write('a=%zz');
    const answers = await connection.answers;
    expect(answers.map((a) => a.status)).toEqual([405, 400]);
    expect(answers[0]?.headers.get('connection')).toBe('keep-alive');
    expectRefusal(answers[1], 'BAD_HTTP');
  });

  it('answers both Content-Length and chunked framing 400 BAD_HTTP', async () => {
    const answers = await exchange(server.origin, `POST /gochat/chat HTTP/1.1\r\nHost: ${host()}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n`);
    expectRefusal(answers[0], 'BAD_HTTP');
  });

  it('answers headers past HEADER_LIMIT 431 HEADERS_TOO_LARGE, and serves headers within it', async () => {
    const answers = await exchange(server.origin, `GET /gochat/chat/health HTTP/1.1\r\nHost: ${host()}\r\nX-Padding: ${'a'.repeat(2100)}\r\n\r\n`);
    expect(answers).toHaveLength(1);
    expectRefusal(answers[0], 'HEADERS_TOO_LARGE');
    const within = await call(`${server.base}/health`, { headers: { 'x-padding': 'a'.repeat(1500) } });
    expect(within.status).toBe(200);
  });

  it('answers a held poll whose connection then sends garbage with 400 BAD_HTTP, and holds nothing of it', async () => {
    const connection = await connect(server.origin);
    connection.write(`GET /gochat/chat?room=garbled&timeout=30 HTTP/1.1\r\nHost: ${host()}\r\n\r\n`);
    await waitFor(async () => (await heldPolls(server.base)) === 1);
    connection.write('NOT HTTP\r\n\r\n');
    const answers = await connection.answers;
    expect(answers).toHaveLength(1);
    expectRefusal(answers[0], 'BAD_HTTP');
    await waitFor(async () => (await heldPolls(server.base)) === 0);
  });

  it('still serves after all of them', async () => {
    expect((await call(`${server.base}/health`)).body.status).toBe('ok');
  });
});

describe('a request whose head does not come in time', () => {
  it('is answered 408 REQUEST_TIMEOUT and its connection closed', async () => {
    // node:http's own limit (60 s, looked at every 30 s), shortened here so the test need not wait a minute.
    const server = await startServer({}, {
      beforeListen: (app) => {
        const http = app.adapter.fastify.server;
        http.headersTimeout = 200;
        // Read when the server starts listening; a constructor option, so not in @types/node's Server.
        (http as typeof http & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 50;
      },
    });
    try {
      const connection = await connect(server.origin);
      connection.write(`GET /gochat/chat/health HTTP/1.1\r\nHost: ${new URL(server.origin).host}\r\n`);
      const answers = await connection.answers;
      expect(answers).toHaveLength(1);
      expectRefusal(answers[0], 'REQUEST_TIMEOUT');
    } finally {
      await server.close();
    }
  });
});
