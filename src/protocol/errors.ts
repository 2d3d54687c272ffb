/**
 * The error codes of PROTOCOL.md, defined once: each with its HTTP status and
 * a default message that says what was wrong and how to fix it. Components
 * answer with these; the README's table is checked against this one by test.
 */
export const protocolErrors = {
  BAD_SINCE: [400, 'since must be an integer from 0 to 9007199254740991; send the "next" of the previous answer, or 0 for the whole history'],
  BAD_ROOM: [400, 'room must be 1 to 64 characters of a-z, 0-9, "_" and "-", starting with a letter or digit, like "lobby"'],
  BAD_TIMEOUT: [400, 'timeout must be a number of seconds from 0 to 60; use 0 to be answered at once'],
  BAD_LIMIT: [400, 'limit must be an integer from 1 to 1000'],
  BAD_EPOCH: [400, 'epoch must be 1 to 64 characters of A-Z, a-z, 0-9, "_" and "-"; send the "epoch" of the previous answer, or leave it out'],
  BAD_JSON: [400, 'the body is not valid JSON; send a JSON object such as {"author": "alice", "text": "hi"}'],
  BAD_AUTHOR: [400, 'author must be 1 to 64 characters after trimming, with something visible and no control characters'],
  BAD_TEXT: [400, 'text must be 1 to 4000 characters after trimming, with something visible and no control characters other than newline and tab'],
  BAD_NONCE: [400, 'nonce must be 1 to 64 characters of A-Z, a-z, 0-9, "_" and "-", or left out'],
  BAD_NICK: [400, 'nick must be 1 to 32 characters of A-Z, a-z, 0-9, "_", "." and "-"'],
  BAD_FIELD: [400, 'a field has a value of the wrong type or size; check the request against PROTOCOL.md'],
  BAD_PASSWORD: [400, 'password must be 8 to 128 characters'],
  BAD_PATH: [400, 'the path is not valid percent-encoding; escape "%" as "%25"'],
  // An addition to PROTOCOL.md, as are REQUEST_TIMEOUT and HEADERS_TOO_LARGE: node:http could not read the request at all.
  BAD_HTTP: [400, 'the request is not valid HTTP/1.1; send a request line, headers, and a body framed by Content-Length or Transfer-Encoding: chunked'],
  NO_SESSION: [401, 'this needs a session; open one with POST /session and send its token as "Authorization: Bearer <token>"'],
  BAD_CREDENTIALS: [401, 'the login or the password is wrong; check both and try again'],
  NOT_A_MEMBER: [403, 'you are not a member of this private room; ask a member to invite you'],
  AUTHOR_MISMATCH: [403, 'author differs from your session\'s nick; leave author out or send your own nick'],
  NOT_FOUND: [404, 'nothing is at this path; see PROTOCOL.md for the paths the chat serves'],
  METHOD_NOT_ALLOWED: [405, 'this path does not take this method; use one of the methods in the Allow header'],
  REQUEST_TIMEOUT: [408, "the request line and headers did not arrive in time; send them at once"],
  NICK_TAKEN: [409, 'this nick belongs to an account or to someone signed in; choose another nick'],
  ROOM_TAKEN: [409, 'this name is or was a public room; choose another name for the private room'],
  ROOM_FULL: [409, 'this private room has as many members as it may; ask a member to make room'],
  BODY_TOO_LARGE: [413, 'the body is too large; send a smaller body'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'send the body as application/json or application/x-www-form-urlencoded'],
  RATE_LIMITED: [429, 'too many requests of this kind; wait for the seconds in the Retry-After header, then send again'],
  HEADERS_TOO_LARGE: [431, 'the request line and headers are larger than the server takes; send fewer or shorter headers'],
  TOO_MANY_POLLS: [503, 'the server holds as many polls as it may; poll again after the seconds in the Retry-After header'],
  ROOM_LIMIT: [503, 'the server holds as many rooms as it may; post to an existing room'],
  // An addition to PROTOCOL.md: sessions are bounded like every other resource.
  TOO_MANY_SESSIONS: [503, 'the server holds as many sessions as it may; try again after the seconds in the Retry-After header'],
  // An addition to PROTOCOL.md: the graph is full and MAX_WAITING_REQUESTS requests already wait to enter it.
  OVERLOADED: [503, 'the server is busier than it can queue for; retry after the seconds in the Retry-After header'],
  STORE_UNAVAILABLE: [503, 'the shared store cannot be reached; retry after the seconds in the Retry-After header'],
  SHUTTING_DOWN: [503, 'the server is shutting down; retry in a few seconds'],
  INTERNAL: [500, 'the server failed to handle this request; retry, and report it if it keeps happening'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof protocolErrors;

/** ErrorBody is the JSON body of every error answer. */
export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string };
}

/** statusOf gives the HTTP status of an error code. */
export function statusOf(code: ErrorCode): number {
  return protocolErrors[code][0];
}

/** errorBody builds the body for a code, with its default message unless a more precise one is given. */
export function errorBody(code: ErrorCode, message: string = protocolErrors[code][1]): ErrorBody {
  return { error: { code, message } };
}

/**
 * ProtocolError is how a component's own checks bail out of a request; the
 * component catches it and turns it into an error Reply, so it never crosses
 * a connection.
 */
export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = protocolErrors[code][1],
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** noPrivateRoom refuses a post marked `"private": true` to a room that is not private (Rooms and Storage both may). */
export function noPrivateRoom(room: string): ProtocolError {
  return new ProtocolError('NOT_FOUND', `there is no private room "${room}" (a restarted server forgets them); the message was not posted`);
}
