// One sentence per protocol code, written for the person at the keyboard:
// what happened and what they can do. Codes the page cannot cause by itself
// (a malformed request) point at reloading, since only a stale page sends one.
const SENTENCES = {
  NETWORK: 'The chat server cannot be reached; check your connection.',
  TIMEOUT: 'The chat server did not answer in time.',
  BAD_TEXT: 'The message must be 1 to 4,000 characters, without control characters.',
  BAD_AUTHOR: 'Your nick was refused; choose another one and retry.',
  BAD_NICK: 'A nick is 1 to 32 letters, digits, dots, dashes or underscores.',
  BODY_TOO_LARGE: 'The message is too long to send; shorten it.',
  NO_SESSION: 'You are not signed in; choose a nick to sign in again.',
  NOT_A_MEMBER: 'You are not a member of this room; ask a member to invite you.',
  AUTHOR_MISMATCH: 'Your nick changed while this was on its way; press Retry to send it under the new one.',
  NICK_TAKEN: 'That nick is taken; choose another one.',
  TOO_MANY_POLLS: 'The chat server is busy.',
  TOO_MANY_SESSIONS: 'The chat server has as many people signed in as it can take; try again in a moment.',
  ROOM_LIMIT: 'The chat server has no room for more conversations right now.',
  SHUTTING_DOWN: 'The chat server is restarting.',
  INTERNAL: 'The chat server failed to handle this.',
  NOT_FOUND: 'The chat server is not where this page expects it; reload the page.',
  METHOD_NOT_ALLOWED: 'The chat server does not accept this request; reload the page.',
  UNSUPPORTED_MEDIA_TYPE: 'The chat server does not accept this request; reload the page.',
  BAD_JSON: 'The page sent a malformed request; reload the page.',
  BAD_NONCE: 'The page sent a malformed request; reload the page.',
  BAD_ROOM: 'This room name is not valid.',
  BAD_FIELD: 'A status is 1 to 64 characters and a bio 1 to 280, without control characters.',
  BAD_RESPONSE: 'The chat server sent an answer this page does not understand.',
};

/**
 * describeError turns an ApiError into a readable sentence. RATE_LIMITED
 * says when sending works again, from the server's Retry-After.
 */
export function describeError(error, now = new Date()) {
  if (error.code === 'RATE_LIMITED') {
    const seconds = Math.max(1, Math.ceil((error.retryAfterMs ?? 10_000) / 1000));
    const at = new Date(now.getTime() + seconds * 1000);
    return `You are sending too fast; try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'} (at ${clock(at)}).`;
  }
  const sentence = SENTENCES[error.code];
  if (sentence) return sentence;
  if (error.status >= 500) return `The chat server had a problem (HTTP ${error.status}).`;
  return `The chat server refused this (${error.code}): ${error.message}`;
}

/** clock formats a moment as the local wall-clock time, to the second. */
function clock(date) {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
