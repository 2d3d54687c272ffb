/**
 * oidc-provider: a real OpenID Connect provider (the certified Node
 * implementation) on a loopback port, for the tests of external sign-in.
 * Its development login page takes any login with any password, and the
 * account's subject is the login: so the same login is the same person.
 */
import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { freePort } from './ports.ts';

export const CLIENT = { id: 'flowchat-test', secret: 'a-secret-only-tests-know' } as const;

/** RunningProvider is a started provider: its issuer URL, and stop(). */
export interface RunningProvider {
  readonly issuer: string;
  stop(): Promise<void>;
}

/** startProvider starts a provider that knows one client, sending people back to `redirectUri`. */
export async function startProvider(redirectUri: string): Promise<RunningProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: CLIENT.id, client_secret: CLIENT.secret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    pkce: { required: () => true },
    cookies: { keys: ['cookie-key-for-tests-only'] },
    claims: { openid: ['sub'], profile: ['preferred_username'] },
    findAccount: (_context, id) => ({ accountId: id, claims: () => ({ sub: id, preferred_username: id }) }),
  });
  const server: Server = provider.listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    issuer,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
