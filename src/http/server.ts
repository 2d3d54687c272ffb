import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AppLogger } from '../app/logger.ts';
import { errorBody, ProtocolError, statusOf, type ErrorCode } from '../protocol/errors.ts';
import type { Headers, HttpRequest } from '../protocol/packets.ts';
import { pagePath, type Settings } from '../app/settings.ts';
import { NO_FIELDS, parseForm } from './form.ts';
import { OpenRequests } from './open-requests.ts';
import { trustOf } from './client-address.ts';
import { sendJson, incomingRequest, pollRequest, watchConnection, writeAnswer, type EnteringRequest } from './incoming-request.ts';
import { answerClientError } from './client-errors.ts';
import { PAGE_HEADERS } from './page-headers.ts';
import type { Traces } from '../tracing/traces.ts';

/**
 * The HTTP adapter: the only code that knows fastify. Every request under
 * the base path becomes an HttpRequest packet handed to `enter`; the page in
 * web/ is served beside it. Requests that never reach the graph (a body that
 * cannot be parsed, a path outside the chat, a request during shutdown) are
 * answered here, in the same JSON error format.
 *
 * Polls (`GET B`, with or without a query), the request a chat makes most,
 * go from node:http straight to the graph: the adapter makes fastify's
 * server itself (fastify's `serverFactory`) and hands everything else to
 * fastify. fastify's routing and request objects were some 3 % of the CPU
 * a poll costs with many polls held or answered (bench/README.md, *Profile*);
 * a poll needs nothing of them, as the graph routes, checks and answers it.
 */
export interface HttpAdapter {
  readonly fastify: FastifyInstance;
  readonly open: OpenRequests;
  /** Requests waiting to enter the graph while its first connection is full. */
  readonly waiting: number;
  /** Sets where packets go; call it before the server listens. */
  connect(enter: (request: HttpRequest) => Promise<void> | undefined): void;
  /** From now on new requests are answered 503 SHUTTING_DOWN. */
  refuseNewRequests(): void;
}

export function createHttpAdapter(settings: Settings, logger: AppLogger, traces?: Traces): HttpAdapter {
  const trust = trustOf(settings.trustProxy);
  const fastify = Fastify({
    // Fastify is given no logger of its own: with one, it times every request
    // and hangs two listeners on every response for a log line we switch off
    // (8 % of the CPU per delivery with 10,000 polls held). Its requests log
    // through ours instead, below, so its warnings about a request still reach
    // the log; only its start-up line ("Server listening at") goes unsaid.
    logger: false,
    // One log line per poll would drown the log; failures are logged where they happen.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: settings.bodyLimit,
    serverFactory: (toFastify) => {
      const server = createServer({ maxHeaderSize: settings.headerLimit }, (req, res) => (isPoll(req, settings.basePath) ? pollIntoGraph(req, res) : toFastify(req, res)));
      // Held polls last up to 60 s; keep-alive must outlast the gap between two.
      server.keepAliveTimeout = 75_000;
      // No limit on a whole request, as fastify sets its own server (a held poll is answered by its own timeout); the head's 60 s stay node's.
      server.requestTimeout = 0;
      server.on('connection', watchConnection);
      return server;
    },
    // A request node:http cannot read never reaches the router: answered in the protocol's shape too.
    clientErrorHandler: answerClientError,
    // The same compiled function the packets read the client's address with (client-address.ts).
    trustProxy: trust,
    // The graph reads the query from the URL when it needs it (IncomingRequest.query); parsed here, it would be kept with the request.
    routerOptions: { querystringParser: () => NO_FIELDS },
    // A request that arrives while fastify closes is refused by our handler, as
    // 503 SHUTTING_DOWN in the protocol's shape, not by fastify in its own.
    return503OnClosing: false,
    // Requests refused before routing (a path that is not valid percent-encoding,
    // a parameter too long) are answered in the protocol's shape too.
    frameworkErrors: (error, _req, res) => sendJson(res, statusOf(codeFor(error)), errorBody(codeFor(error))),
    // The components check every input themselves (src/protocol/fields.ts), so
    // no route has a schema: given compilers of its own, fastify never loads
    // ajv and fast-json-stringify (two of the idle server's MiB).
    schemaController: { compilersFactory: { buildValidator: () => noSchemas, buildSerializer: () => noSchemas } },
  });
  // fastify's own factory: for a fastify without a logger it makes no logger per request at all.
  const noRequestLoggers = fastify.childLoggerFactory;
  // Every other request logs through the app's logger itself, not a child:
  // pino's child binds a function per level, some 1 KiB that a held poll
  // would keep for its whole wait. fastify's few lines about one request
  // name its id.
  fastify.setChildLoggerFactory(() => logger);
  const open = new OpenRequests();
  let enter: ((request: HttpRequest) => Promise<void> | undefined) | undefined;
  let refusing = false;

  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(protocolFailure('BAD_JSON'), undefined);
    }
  });
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseForm(body as string));
  });

  const refuse = (res: FastifyReply, code: RefusalCode): void => {
    sendJson(res, statusOf(code), errorBody(code), REFUSAL_HEADERS[code]);
  };

  // Requests that wait for room in the graph's full first connection: bounded, each pausing its connection.
  let waiting = 0;
  // Checked in the handlers, not in an onRequest hook: a hook costs every request an extra step and closure.
  const refusal = (): RefusalCode | undefined => (refusing ? 'SHUTTING_DOWN' : waiting >= settings.maxWaitingRequests ? 'OVERLOADED' : undefined);

  const intoGraph = (req: FastifyRequest, res: FastifyReply, body: unknown = req.body): void => {
    const refused = refusal();
    if (refused !== undefined) return refuse(res, refused);
    enterGraph(incomingRequest(req, res, body, open, trust), req.raw.socket, req.headers.traceparent);
  };
  const pollIntoGraph = (req: IncomingMessage, res: ServerResponse): void => {
    const refused = refusal();
    if (refused !== undefined) return writeAnswer(res, statusOf(refused), errorBody(refused), REFUSAL_HEADERS[refused]);
    enterGraph(pollRequest(req, res, open, trust), req.socket, req.headers.traceparent);
  };
  const enterGraph = (request: EnteringRequest, socket: Socket, traceparent: string | string[] | undefined): void => {
    let pending: Promise<void> | undefined;
    // Nothing a poll's handler throws reaches node:http, which would end the process: fastify is not there to catch it.
    try {
      const trace = traces?.begin(request, traceparent);
      if (trace !== undefined) request.trace = trace;
      if (enter === undefined) throw new Error('The HTTP adapter is not connected to a network');
      pending = enter(request);
    } catch (error) {
      return notEntered(request, error);
    }
    if (pending === undefined) return;
    // The graph is full: this connection sends nothing more until its request is in (backpressure reaches the socket).
    waiting++;
    socket.pause();
    pending
      .catch((error: unknown) => notEntered(request, error))
      .finally(() => {
        waiting--;
        socket.resume();
      });
  };
  // The reply is already taken over: fastify would only warn that it was sent, and the client would wait for nothing.
  const notEntered = (request: HttpRequest, error: unknown): void => {
    logger.error({ err: error, method: request.method, path: request.path }, 'request could not enter the graph');
    request.respond(statusOf('INTERNAL'), errorBody('INTERNAL'));
  };
  // Every request these two routes take is answered by the graph or by intoGraph itself, which
  // logs what goes wrong: fastify has nothing to log about them, so they skip its logger per request.
  const chat = { childLoggerFactory: noRequestLoggers };
  fastify.all(settings.basePath, chat, intoGraph);
  fastify.all(`${settings.basePath}/*`, chat, intoGraph);

  const pagePrefix = pagePath(settings.basePath);
  // The page's routes live in their own scope, so the hook that refuses them during shutdown runs for them alone.
  void fastify.register(async (page) => {
    page.addHook('onRequest', (_req, res, done) => (refusing ? refuse(res, 'SHUTTING_DOWN') : done()));
    await page.register(fastifyStatic, {
      root: settings.webRoot,
      prefix: pagePrefix,
      redirect: true,
      cacheControl: false,
      setHeaders: (res) => {
        for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
      },
    });
    if (pagePrefix !== '/') {
      page.get('/', (_req, res) => res.redirect(pagePrefix));
      page.get(pagePrefix.slice(0, -1), (_req, res) => res.redirect(pagePrefix));
    }
  });

  const notFound = (_req: FastifyRequest, res: FastifyReply): void => sendJson(res, 404, errorBody('NOT_FOUND'));
  fastify.setNotFoundHandler(notFound);
  fastify.setErrorHandler((error: FastifyError, req, res) => {
    if (error.code === CLIENT_WENT_AWAY && req.raw.socket.destroyed) {
      // The connection closed in the middle of the body: nobody is left to answer, and nothing of the server failed.
      logger.debug({ reqId: req.id, method: req.method, path: req.url }, 'the client went away before its request was read');
      return void res.raw.destroy();
    }
    const code = codeFor(error);
    if (code === 'INTERNAL') logger.error({ err: error, reqId: req.id }, 'request failed');
    const message = code === 'BODY_TOO_LARGE' ? `the body is larger than ${settings.bodyLimit} bytes; send a shorter text` : undefined;
    // fastify reads a body before the Router sees the request. What is wrong with the body is refused by
    // the component that reads it (jsonObject), so that a path or method the chat does not take is 404 or 405 whatever came with it.
    if (BODY_REFUSALS.has(code)) {
      if (isChatRoute(req.routeOptions.url, settings.basePath)) return intoGraph(req, res, new ProtocolError(code, message));
      // Nothing is at the path (beside the page, or outside both): that is the answer, whatever came with it.
      if (req.is404) return notFound(req, res);
    }
    sendJson(res, statusOf(code), errorBody(code, message));
  });

  return {
    fastify,
    open,
    get waiting() {
      return waiting;
    },
    connect(target) {
      enter = target;
    },
    refuseNewRequests() {
      refusing = true;
    },
  };
}

type RefusalCode = 'SHUTTING_DOWN' | 'OVERLOADED';

/** The headers of the answers to requests refused before they enter the graph. */
const REFUSAL_HEADERS: Readonly<Record<RefusalCode, Headers>> = {
  SHUTTING_DOWN: { 'retry-after': '5', connection: 'close' },
  OVERLOADED: { 'retry-after': '1' },
};

/** isPoll tells a poll, `GET B` with or without a query, which goes to the graph without fastify. */
function isPoll(req: IncomingMessage, base: string): boolean {
  const url = req.url as string;
  return req.method === 'GET' && url.startsWith(base) && (url.length === base.length || url.charCodeAt(base.length) === QUESTION_MARK);
}

const QUESTION_MARK = 0x3f;

/** What fastify refuses about a request's body, which the graph refuses instead on the chat's routes. */
const BODY_REFUSALS: ReadonlySet<ErrorCode> = new Set(['BAD_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'BODY_TOO_LARGE']);

/** isChatRoute tells the two routes that hand requests to the graph (B and everything under it) from the page's. */
function isChatRoute(route: string | undefined, base: string): boolean {
  return route === base || route === `${base}/*`;
}

// node:http's error on a request whose connection closed before its body was complete ('aborted').
const CLIENT_WENT_AWAY = 'ECONNRESET';

interface CodedFailure extends Error {
  readonly statusCode: number;
  readonly protocolCode: ErrorCode;
}

function protocolFailure(code: ErrorCode): CodedFailure {
  return Object.assign(new Error(code), { statusCode: statusOf(code), protocolCode: code });
}

/** codeFor maps fastify's own errors, and the page's file server's, to PROTOCOL.md's codes. */
function codeFor(error: FastifyError & { protocolCode?: ErrorCode }): ErrorCode {
  if (error.protocolCode !== undefined) return error.protocolCode;
  // The file server refuses a path it will not serve (a NUL, a way out of web/) as 400 or 403:
  // no file of the page is there, which is the client's mistake, never a 500 with a stack in the log.
  if (error.code === undefined && [400, 403, 404].includes(error.statusCode ?? 0)) return 'NOT_FOUND';
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return 'BAD_PATH';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'BODY_TOO_LARGE';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'BAD_JSON';
    default:
      return 'INTERNAL';
  }
}

/** noSchemas is the schema compiler of a server whose routes have none: one given a schema says where its checks belong. */
function noSchemas(): never {
  throw new Error('flowchat compiles no fastify schemas: check the input in the component that reads it (src/protocol/fields.ts)');
}
