import type { FastifyReply, FastifyRequest } from 'fastify';
import { JsonText, type Headers, type HttpRequest, type QueryValue } from '../protocol/packets.ts';
import type { OpenRequests } from './open-requests.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * toPacket wraps a fastify request and reply into the framework-free
 * HttpRequest that travels the graph. Its signal fires when the client goes
 * away unanswered; `respond` writes the answer once and ignores the rest.
 */
export function toPacket(req: FastifyRequest, res: FastifyReply, open: OpenRequests): HttpRequest {
  const aborter = new AbortController();
  let answered = false;
  let endings: (() => void)[] | undefined;
  const end = (): void => {
    answered = true;
    open.delete(packet);
    if (endings !== undefined) for (const callback of endings) callback();
  };
  const queryAt = req.url.indexOf('?');
  const packet: HttpRequest = {
    method: req.method,
    path: queryAt === -1 ? req.url : req.url.slice(0, queryAt),
    query: req.query as Record<string, QueryValue>,
    headers: req.headers,
    body: req.body,
    clientAddress: req.ip,
    signal: aborter.signal,
    params: {},
    session: undefined,
    respond(status, body, headers) {
      if (answered) return;
      end();
      if (!res.raw.destroyed) sendJson(res, status, body, headers);
    },
    onEnd(callback) {
      if (answered) callback();
      else (endings ??= []).push(callback);
    },
  };
  open.add(packet);
  res.raw.once('close', () => {
    if (answered) return;
    end();
    aborter.abort();
  });
  return packet;
}

/** sendJson answers with PROTOCOL.md's common headers; a JsonText body is sent as it is. */
export function sendJson(res: FastifyReply, status: number, body: unknown, headers?: Headers): void {
  res.code(status).header('content-type', JSON_TYPE).header('cache-control', 'no-store');
  if (headers !== undefined) res.headers(headers);
  if (status === 204) {
    res.send();
    return;
  }
  res.send(body instanceof JsonText ? body.text : JSON.stringify(body));
}
