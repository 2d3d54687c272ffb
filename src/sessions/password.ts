import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** PasswordHash is what is kept of a password: a per-account salt and the scrypt key derived from both. */
export interface PasswordHash {
  readonly salt: Buffer;
  readonly key: Buffer;
}

const KEY_BYTES = 64;
const SALT_BYTES = 16;

// Compared against when the login is unknown, so that a wrong login costs
// the same work and time as a wrong password (PROTOCOL.md: "in the same time").
const NOBODY: PasswordHash = { salt: randomBytes(SALT_BYTES), key: randomBytes(KEY_BYTES) };

/** derive runs scrypt (N = 16384, r = 8, p = 1: node's defaults, some 50 ms) in libuv's pool, off the event loop. */
function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, (error, key) => (error ? reject(error) : resolve(key))));
}

/** hashPassword makes the hash to keep for a new password. */
export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(SALT_BYTES);
  return { salt, key: await derive(password, salt) };
}

/** verifyPassword tells whether `password` is the one behind `hash`; for no hash (an unknown login) it does the same work and says no. */
export async function verifyPassword(password: string, hash: PasswordHash | undefined): Promise<boolean> {
  const key = await derive(password, (hash ?? NOBODY).salt);
  return timingSafeEqual(key, (hash ?? NOBODY).key) && hash !== undefined;
}
