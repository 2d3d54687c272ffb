import { createAvatar } from './avatar.js';
import { describeError } from './errors.js';

// PROTOCOL.md: status ≤ 64, bio ≤ 280 characters (code points, after
// trimming); the server also refuses empty ones, so neither can be cleared.
const LIMITS = { status: 64, bio: 280 };
const CONTROL = { status: /\p{Cc}/u, bio: /[^\P{Cc}\n\t]/u };

/**
 * createProfileDialog shows a user's profile in `#profile`: one's own to
 * edit (status and bio; a guest's nick, an account's password; sign out),
 * anyone else's to read, with a button to start a direct conversation. `api` holds
 * `mine()` (GET B/session), `user(nick)` (GET B/users/NICK) and
 * `save(fields)` (PATCH B/session).
 */
export function createProfileDialog({ elements, api, me, isGuest, onDirect, onChangeNick, onChangePassword, onSignOut }) {
  const { dialog, avatar, nick, online, view, statusText, bioText, form, status, bio, error, message, direct, changeNick, signOut, close } = elements;
  const { passwordForm, oldPassword, newPassword } = elements;
  let shownNick = null;
  let saved = { status: '', bio: '' };
  let opened = 0;

  function say(sentence) {
    message.textContent = sentence;
    message.hidden = sentence === '';
  }

  function fail(sentence) {
    error.textContent = sentence;
    error.hidden = sentence === '';
  }

  function frame(who, mine) {
    shownNick = who;
    dialog.dataset.nick = who;
    dialog.dataset.mine = String(mine);
    avatar.replaceChildren(createAvatar(who));
    nick.textContent = mine ? `${who} (you)` : who;
    online.textContent = '';
    form.hidden = !mine;
    view.hidden = mine;
    // An account's login is its nick for good; a guest has no password.
    changeNick.hidden = !mine || !isGuest();
    passwordForm.hidden = !mine || isGuest();
    oldPassword.value = '';
    newPassword.value = '';
    signOut.hidden = !mine;
    direct.hidden = mine;
    fail('');
    say('Loading…');
    if (!dialog.open) dialog.showModal();
  }

  function fill(profile) {
    online.textContent = profile.online ? 'Online now' : 'Not in any room right now';
    say('');
  }

  async function openMine() {
    const mine = ++opened;
    frame(me(), true);
    status.value = '';
    bio.value = '';
    status.focus();
    try {
      const profile = await api.mine();
      if (mine !== opened) return;
      saved = { status: profile.status ?? '', bio: profile.bio ?? '' };
      status.value = saved.status;
      bio.value = saved.bio;
      fill(profile);
    } catch (problem) {
      if (mine === opened) say(describeError(problem));
    }
  }

  async function openUser(who) {
    if (who === me()) return openMine();
    const mine = ++opened;
    frame(who, false);
    statusText.textContent = '';
    bioText.textContent = '';
    direct.focus();
    try {
      const profile = await api.user(who);
      if (mine !== opened) return;
      statusText.textContent = profile.status || '—';
      bioText.textContent = profile.bio || '—';
      fill(profile);
    } catch (problem) {
      if (mine !== opened) return;
      say(problem.code === 'NOT_FOUND' ? `${who} is not signed in now.` : describeError(problem));
    }
  }

  // Only what changed is sent; an emptied field is sent as null, which clears it.
  function changes() {
    const fields = {};
    for (const [name, input] of [['status', status], ['bio', bio]]) {
      const value = input.value.trim();
      if (value === saved[name].trim()) continue;
      if (value === '') {
        fields[name] = null;
        continue;
      }
      if ([...value.normalize('NFC')].length > LIMITS[name]) return `A ${name} is at most ${LIMITS[name]} characters.`;
      if (CONTROL[name].test(value)) return `The ${name} contains a control character; remove it.`;
      fields[name] = value;
    }
    return fields;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const fields = changes();
    if (typeof fields === 'string') return fail(fields);
    fail('');
    if (Object.keys(fields).length === 0) return say('Nothing to save.');
    say('Saving…');
    try {
      const profile = await api.save(fields);
      saved = { status: profile.status ?? '', bio: profile.bio ?? '' };
      say('Saved.');
    } catch (problem) {
      say('');
      fail(describeError(problem));
    }
  });
  passwordForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const wanted = newPassword.value;
    const length = [...wanted.normalize('NFC')].length;
    if (length < 8 || length > 128) return fail('A password is 8 to 128 characters.');
    fail('');
    say('Changing…');
    try {
      await onChangePassword(oldPassword.value, wanted);
      oldPassword.value = '';
      newPassword.value = '';
      say('Password changed; your other sessions have ended.');
    } catch (problem) {
      say('');
      fail(problem.code === 'BAD_CREDENTIALS' ? 'The current password is wrong.' : describeError(problem));
    }
  });
  direct.addEventListener('click', () => {
    dialog.close();
    onDirect(shownNick);
  });
  changeNick.addEventListener('click', () => {
    dialog.close();
    onChangeNick();
  });
  signOut.addEventListener('click', () => {
    dialog.close();
    onSignOut();
  });
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    opened += 1;
  });

  return { openMine, openUser };
}
