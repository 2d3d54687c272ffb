import type * as OpenId from 'openid-client';
import { defineChatComponent } from '../src/app/app-context.ts';
import { ProtocolError } from '../src/protocol/errors.ts';
import { errorReply, refusalOf, reply, type HttpRequest } from '../src/protocol/packets.ts';
import { identityPort, replyPort, requestPort } from '../src/protocol/ports.ts';
import type { OidcSettings } from '../src/app/settings.ts';

// A sign-in begun and not finished within this long is forgotten; and at most this many are kept.
const PENDING_MS = 10 * 60_000;
const MAX_PENDING = 10_000;

interface Pending {
  readonly verifier: string;
  readonly nonce: string;
  readonly started: number;
}

/**
 * OidcSignIn signs people in with an OpenID Connect provider: the
 * authorization-code flow with PKCE, through openid-client. `GET B/auth`
 * says whether it is configured; `GET B/auth/oidc` sends the browser to the
 * provider; the provider sends it back to `GET B/auth/oidc/callback`, whose
 * code and state are checked with the provider, and the identity it vouches
 * for (issuer and subject, never an e-mail address) goes on to Session.
 */
export default defineChatComponent({
  name: 'OidcSignIn',
  description: 'Signs people in with an OpenID Connect provider (authorization code with PKCE) and passes on who the provider says they are',
  inPorts: {
    in: requestPort('GET B/auth, B/auth/oidc and B/auth/oidc/callback', true),
  },
  outPorts: {
    identified: identityPort('Who the provider vouched for, with the callback request to answer'),
    reply: replyPort('Redirects to the provider, the configuration, and refusals'),
  },
  leadsTo: { in: ['reply', 'identified'] },
  create({ out, app, background }) {
    const settings = app.settings.oidc;
    const pending = new Map<string, Pending>();
    let configuration: Promise<OpenId.Configuration> | undefined;
    // Loaded at the first sign-in: a server with no provider configured loads nothing of it.
    let client: Promise<typeof OpenId> | undefined;
    const openid = (): Promise<typeof OpenId> => (client ??= import('openid-client'));

    const callbackUrl = (s: OidcSettings): string => `${s.publicUrl}${app.settings.basePath}/auth/oidc/callback`;

    function discover(s: OidcSettings): Promise<OpenId.Configuration> {
      const issuer = new URL(s.issuer);
      // Plain http only to a provider on this machine (tests, development); anywhere else, https.
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
      configuration ??= openid().then((oidc) =>
        oidc.discovery(issuer, s.clientId, s.clientSecret, undefined, loopback ? { execute: [oidc.allowInsecureRequests] } : undefined),
      );
      configuration.catch(() => (configuration = undefined));
      return configuration;
    }

    function forgetStale(): void {
      const cutoff = app.now() - PENDING_MS;
      // Kept in the order they began: the stale ones are at the front.
      for (const [state, begun] of pending) {
        if (begun.started > cutoff) break;
        pending.delete(state);
      }
    }

    async function begin(request: HttpRequest, s: OidcSettings): Promise<void> {
      const config = await discover(s);
      const oidc = await openid();
      forgetStale();
      if (pending.size >= MAX_PENDING) throw new ProtocolError('RATE_LIMITED', 'too many sign-ins are under way; try again in a minute', { 'retry-after': '60' });
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      pending.set(state, { verifier, nonce, started: app.now() });
      const location = oidc.buildAuthorizationUrl(config, {
        redirect_uri: callbackUrl(s),
        scope: 'openid profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      void out.send('reply', reply(request, 302, {}, { location: location.href }));
    }

    async function finish(request: HttpRequest, s: OidcSettings): Promise<void> {
      const config = await discover(s);
      const oidc = await openid();
      const state = typeof request.query.state === 'string' ? request.query.state : '';
      const begun = pending.get(state);
      // Each state answers once: a forged one was never handed out, a replayed one is gone.
      pending.delete(state);
      if (begun === undefined || begun.started <= app.now() - PENDING_MS) {
        throw new ProtocolError('BAD_CREDENTIALS', 'this sign-in is unknown, expired or already used; sign in again');
      }
      const current = new URL(callbackUrl(s));
      for (const [name, value] of Object.entries(request.query)) if (typeof value === 'string') current.searchParams.set(name, value);
      let tokens;
      try {
        tokens = await oidc.authorizationCodeGrant(config, current, { pkceCodeVerifier: begun.verifier, expectedState: state, expectedNonce: begun.nonce });
      } catch {
        throw new ProtocolError('BAD_CREDENTIALS', 'the provider did not confirm this sign-in; sign in again');
      }
      const claims = tokens.claims();
      if (claims === undefined) throw new ProtocolError('BAD_CREDENTIALS', 'the provider sent no identity; sign in again');
      // The nick is only a suggestion, so the ID token's will do, else the user info's.
      let wanted = claims.preferred_username;
      if (typeof wanted !== 'string') wanted = (await oidc.fetchUserInfo(config, tokens.access_token, claims.sub).catch(() => undefined))?.preferred_username;
      void out.send('identified', { request, issuer: claims.iss, subject: claims.sub, nick: typeof wanted === 'string' ? wanted : undefined });
    }

    /** settle answers a refusal of work left in the background; anything else is the process's failure (500). */
    function settle(request: HttpRequest, work: Promise<void>): void {
      background(work.catch((error: unknown) => void out.send('reply', refusalOf(request, error))), request);
    }

    return {
      in(request) {
        const action = request.path.replace(/\/$/, '').split('/').at(-1);
        if (action === 'auth') {
          const name = settings === undefined ? null : new URL(settings.issuer).host;
          return out.send('reply', reply(request, 200, { oidc: name === null ? null : { name, start: `${app.settings.basePath}/auth/oidc` } }));
        }
        if (settings === undefined) {
          return out.send('reply', errorReply(request, 'NOT_FOUND', 'no external sign-in is configured here; sign in with a login and password, or as a guest'));
        }
        settle(request, action === 'oidc' ? begin(request, settings) : finish(request, settings));
        return undefined;
      },
    };
  },
});
