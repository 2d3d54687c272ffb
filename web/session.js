import { requestJson } from './api.js';
import { describeError } from './errors.js';
import { loadNick, saveNick } from './nick.js';
import { loadGuest, loadToken, saveToken, watchToken } from './token-store.js';

const TIMEOUT_MS = 15_000;

/**
 * createSession keeps the page's session (PROTOCOL.md "Sessions, rooms and
 * presence"): a nick and the bearer token the server gave for it,
 * remembered across reloads and shared by the page's tabs.
 *
 * A session is a guest's (a nick alone) or an account's (a login and its
 * password, PROTOCOL.md "Accounts and identity"). When the server no longer
 * knows a guest's token (it restarted, or the session expired) `renew`
 * opens a new session for the same nick, so the person is asked nothing
 * unless someone else took the nick meanwhile; an account's needs its
 * password again. Then, or on a first visit, `chooseNick({reason,
 * suggestion, claim})` shows the sign-in dialog; it resolves once
 * `claim(nick, {intent, password})` succeeded (intent `guest`, `login` or
 * `create`), and claim's ApiError (a nick taken, a wrong password) is the
 * dialog's to show.
 *
 * `onChange({nick, token, guest})` hears of every new session (nick null
 * after signing out); `onRenewing()` of a token found dead.
 */
export function createSession({ endpoint, chooseNick, onChange, onRenewing = () => {} }) {
  let nick = loadNick();
  let token = loadToken(nick);
  let guest = loadGuest(nick);
  let opening = null;

  function adopt(newNick, newToken, newGuest = guest) {
    if (newNick === nick && newToken === token && newGuest === guest) return;
    nick = newNick;
    token = newToken;
    guest = newGuest;
    saveNick(nick);
    saveToken(nick, token, guest);
    onChange({ nick, token, guest });
  }

  async function claim(wanted, { intent = 'guest', password = '' } = {}) {
    const [path, body] = {
      guest: ['/session', { nick: wanted }],
      login: ['/session', { login: wanted, password }],
      create: ['/accounts', { login: wanted, password }],
      // The one-time code an external sign-in sent the browser back with.
      code: ['/session', { code: password }],
    }[intent];
    const opened = await requestJson(`${endpoint}${path}`, { method: 'POST', body, timeoutMs: TIMEOUT_MS });
    adopt(opened.nick, opened.token, opened.guest !== false);
  }

  // A sibling tab that hit the same dead token may have opened the new
  // session first; its token is as good as ours and keeps the nick. (A dead
  // token is removed from storage when found dead, see renew.)
  function adoptSibling(dead) {
    const shared = nick === null ? null : loadToken(nick);
    if (shared === null || shared === dead) return false;
    adopt(nick, shared);
    return true;
  }

  function open(suggestion = nick) {
    opening ??= (async () => {
      try {
        if (nick === null) {
          await chooseNick({ reason: null, suggestion, claim });
          return token;
        }
        if (!guest) {
          // Only its password opens an account's session again.
          await chooseNick({ reason: `Your session ended; log in again as “${nick}”.`, suggestion: nick, claim, password: true });
          return token;
        }
        try {
          await claim(nick);
        } catch (error) {
          if (error.retryable) throw error;
          if (error.code === 'NICK_TAKEN' && adoptSibling(null)) return token;
          const reason = error.code === 'NICK_TAKEN'
            ? `Your session ended and someone else now uses the nick “${nick}”; choose another one.`
            : describeError(error);
          await chooseNick({ reason, suggestion: nick, claim });
        }
        return token;
      } finally {
        opening = null;
      }
    })();
    return opening;
  }

  /** end closes a session on the server, best effort: it expires anyway. */
  function end(dead) {
    requestJson(`${endpoint}/session`, { method: 'DELETE', token: dead, timeoutMs: TIMEOUT_MS }).catch(() => {});
  }

  function ensure() {
    if (token === null && nick !== null) open().catch(() => {});
  }

  function renew(dead) {
    if (token !== null && token !== dead) return Promise.resolve(token);
    if (adoptSibling(dead)) return Promise.resolve(token);
    // Forgotten, so that neither this tab nor a sibling adopts it again.
    if (dead !== null && nick !== null && loadToken(nick) === dead) saveToken(nick, null);
    if (token !== null) {
      token = null;
      onRenewing();
    }
    return open();
  }

  async function verify() {
    const checked = token;
    if (checked === null) {
      ensure();
      return;
    }
    try {
      await requestJson(`${endpoint}/session`, { token: checked, timeoutMs: TIMEOUT_MS });
    } catch (error) {
      // Other failures leave it to the next request that needs the session.
      if (error.code === 'NO_SESSION') await renew(checked).catch(() => {});
    }
  }

  return {
    get nick() {
      return nick;
    },
    /** guest is true for a guest's session (a nick alone), false for an account's. */
    get guest() {
      return guest;
    },
    /** token is the current bearer token, or null while there is none. */
    get token() {
      return token;
    },
    /**
     * start resumes the remembered session, checking it in the background, or
     * opens one; with `signInCode` (from an external sign-in) it opens the
     * session that code stands for instead, asking as usual if it is refused.
     */
    start(signInCode = null) {
      watchToken((savedNick, savedToken, savedGuest) => adopt(savedNick, savedToken, savedGuest));
      if (signInCode !== null) {
        const old = token;
        claim(null, { intent: 'code', password: signInCode }).then(
          () => {
            if (old !== null && old !== token) end(old);
          },
          () => (token === null ? open().catch(() => {}) : onChange({ nick, token, guest })),
        );
        return;
      }
      if (token === null) {
        open().catch(() => {});
        return;
      }
      onChange({ nick, token, guest });
      verify();
    },
    /** ready resolves with a live token, opening a session when there is none. */
    ready() {
      return token !== null ? Promise.resolve(token) : open();
    },
    /** ensure opens a session if there is none and a nick to open it for; a failure waits for the next try. */
    ensure,
    /**
     * renew replaces `dead`, a token the server refused, and resolves with
     * the new one; concurrent callers share one new session.
     */
    renew,
    /** verify asks the server whether it still knows the token (it may have restarted), renewing it if not. */
    verify,
    /** change opens a session for another nick, then ends the old one; a refusal is thrown for the dialog. */
    async change(wanted, options) {
      if (wanted === nick && token !== null) return;
      const old = token;
      await claim(wanted, options);
      if (old !== null) end(old);
    },
    /** changePassword changes an account's password (the server ends its other sessions); a refusal is thrown. */
    async changePassword(old, wanted) {
      await requestJson(`${endpoint}/session`, { method: 'PATCH', body: { password: { old, new: wanted } }, token, timeoutMs: TIMEOUT_MS });
    },
    /** signOut ends the session and forgets the nick, then asks for one again. */
    signOut() {
      const old = token;
      const previous = nick;
      nick = null;
      token = null;
      guest = true;
      saveNick(null);
      saveToken(null, null);
      onChange({ nick: null, token: null, guest });
      if (old !== null) end(old);
      return open(previous);
    },
  };
}
