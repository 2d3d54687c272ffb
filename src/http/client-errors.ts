/**
 * What the server answers a request node:http could not read: not HTTP/1.1,
 * a body with neither Content-Length nor chunked framing (its bytes then
 * read as the next request), a head over HEADER_LIMIT, or a head that did
 * not arrive in time. Such a request never reaches fastify's router, and
 * fastify's own answer is in its shape, not the protocol's.
 */
import type { Socket } from 'node:net';
import { errorBody, statusOf, type ErrorCode } from '../protocol/errors.ts';
import { JSON_HEAD, statusLine } from './whole-answer.ts';

/** clientErrorCode is the protocol's code for what node:http could not read; undefined when nobody is there to answer. */
export function clientErrorCode(error: Error & { code?: string }): ErrorCode | undefined {
  switch (error.code) {
    case 'ECONNRESET':
      return undefined;
    case 'HPE_HEADER_OVERFLOW':
      return 'HEADERS_TOO_LARGE';
    // Chunk extensions past node's 16 KiB: as node:http itself answers, 413.
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 'BODY_TOO_LARGE';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'REQUEST_TIMEOUT';
    default:
      return 'BAD_HTTP';
  }
}

/** clientErrorAnswer is the whole HTTP answer to such a request, in the protocol's shape; the connection closes after it. */
export function clientErrorAnswer(code: ErrorCode): string {
  const body = JSON.stringify(errorBody(code));
  // connection: close, because whatever else the client sent on this connection cannot be told apart from the bytes that broke it.
  return `${statusLine(statusOf(code))}${JSON_HEAD}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

/**
 * The answer node:http is writing on this connection, if any. `_httpMessage`
 * is node's own field, the one its default handler of these errors reads:
 * no public API tells which response a socket is busy with.
 */
type HttpSocket = Socket & { readonly _httpMessage?: { readonly headersSent: boolean } | null };

/**
 * answerClientError answers and closes the connection, as node:http does
 * when nobody handles the error: written, then destroyed, so a client that
 * never closes its side holds nothing of the server. Nothing is written
 * once node:http has begun an answer on this connection that it has not
 * finished: a head in its middle would corrupt it, and one after an answer
 * that said `connection: close` would break the client's parser; the client
 * sees the connection close.
 */
export function answerClientError(error: Error & { code?: string }, socket: HttpSocket): void {
  const code = clientErrorCode(error);
  const answering = socket._httpMessage?.headersSent === true;
  if (code !== undefined && socket.writable && !answering) socket.write(clientErrorAnswer(code));
  socket.destroy();
}
