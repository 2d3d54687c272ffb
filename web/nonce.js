// 64 symbols, so `byte & 63` picks each with equal probability.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/**
 * makeNonce returns a random id for one post, matching the protocol's
 * ^[A-Za-z0-9_-]{1,64}$; 21 symbols give 126 random bits, so two posts never
 * share one and the server can tell a retry from a new message.
 */
export function makeNonce(length = 21) {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let nonce = '';
  for (const byte of bytes) nonce += ALPHABET[byte & 63];
  return nonce;
}
