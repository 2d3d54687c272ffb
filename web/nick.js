const KEY = 'flowchat.nick';
// PROTOCOL.md's nick rule for sessions.
const NICK = /^[A-Za-z0-9_.-]{1,32}$/;

/** nickProblem says what is wrong with a proposed nick, or null if nothing. */
export function nickProblem(value) {
  if (value.length === 0) return 'Choose a nick to chat with.';
  if (!NICK.test(value)) return 'A nick is 1 to 32 letters, digits, dots, dashes or underscores.';
  return null;
}

/** loadNick returns the remembered nick, or null when there is none. */
export function loadNick() {
  try {
    const value = localStorage.getItem(KEY);
    return value !== null && nickProblem(value) === null ? value : null;
  } catch {
    // Storage can be disabled (privacy settings); then the nick is asked each visit.
    return null;
  }
}

/** saveNick remembers the nick for the next visit, if storage allows; null forgets it. */
export function saveNick(value) {
  try {
    if (value === null) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, value);
  } catch {
    // Same reason as in loadNick: the page still works for this visit.
  }
}
