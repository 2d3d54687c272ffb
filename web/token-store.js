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

/** saveToken remembers `token` for `nick`; null forgets it. */
export function saveToken(nick, token) {
  try {
    if (token === null) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, JSON.stringify({ nick, token }));
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
      if (typeof saved?.nick === 'string' && TOKEN.test(saved?.token ?? '')) onToken(saved.nick, saved.token);
    } catch {
      // Not ours to understand; ignore it.
    }
  });
}
