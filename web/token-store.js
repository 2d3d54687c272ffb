const KEY = 'flowchat.session';
// PROTOCOL.md: the token is a random id of URL-safe characters.
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The session token lives in localStorage rather than sessionStorage: a tab
 * closed and reopened within the session's 10 minutes, or a second tab,
 * must not find its own nick "taken" by the session it still holds.
 * It is stored with its nick, so a token never answers for another nick.
 */

/** loadToken returns the remembered token of `nick`, or null. */
export function loadToken(nick) {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    return saved?.nick === nick && TOKEN.test(saved?.token ?? '') ? saved.token : null;
  } catch {
    // Disabled storage (privacy settings) or a mangled entry: open a new session.
    return null;
  }
}

/** loadGuest tells whether the remembered session of `nick` is a guest's (true unless it was saved as an account's). */
export function loadGuest(nick) {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    return saved?.nick !== nick || saved?.guest !== false;
  } catch {
    return true;
  }
}

/** saveToken remembers `token` for `nick`, and whether it is a guest's; null forgets it. */
export function saveToken(nick, token, guest = true) {
  try {
    if (token === null) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, JSON.stringify({ nick, token, guest }));
  } catch {
    // As in loadToken: the session still works for this page's lifetime.
  }
}

/** watchToken calls `onToken(nick, token)` when another tab stores a new session. */
export function watchToken(onToken) {
  addEventListener('storage', (event) => {
    if (event.key !== KEY || event.newValue === null) return;
    try {
      const saved = JSON.parse(event.newValue);
      if (typeof saved?.nick === 'string' && TOKEN.test(saved?.token ?? '')) onToken(saved.nick, saved.token, saved.guest !== false);
    } catch {
      // Not ours to understand; ignore it.
    }
  });
}
