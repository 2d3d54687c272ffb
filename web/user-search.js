import { createAvatar } from './avatar.js';
import { describeError } from './errors.js';

// Typing pauses shorter than this are still typing, not a search.
const DEBOUNCE_MS = 200;
const PREFIX = /^[A-Za-z0-9_.-]{1,32}$/;

/**
 * wireUserSearch finds signed-in people by the start of their nick (GET
 * B/users?q= through `findUsers(prefix)`) as one types in `input`. Each
 * result offers a direct conversation (`onDirect(nick)`) and the profile
 * (`onProfile(nick)`); Enter starts the conversation with the nick typed
 * in full, or with the only one found.
 */
export function wireUserSearch({ input, results, status, findUsers, me, onDirect, onProfile }) {
  let timer = null;
  let asked = 0;
  let found = [];
  // The prefix `found` answers, so Enter typed before the search came back waits for it.
  let foundFor = '';

  async function search() {
    clearTimeout(timer);
    const prefix = input.value.trim();
    const mine = ++asked;
    if (prefix === '') return show(prefix, [], '');
    if (!PREFIX.test(prefix)) return show(prefix, [], 'Nicks have only letters, digits, dots, dashes and underscores.');
    let users;
    try {
      ({ users } = await findUsers(prefix));
    } catch (error) {
      if (mine === asked) show(prefix, [], describeError(error));
      return;
    }
    if (mine !== asked) return;
    const others = (Array.isArray(users) ? users : []).filter((user) => typeof user?.nick === 'string' && user.nick !== me());
    show(prefix, others, others.length === 0 ? `Nobody signed in has a nick starting with “${prefix}”.` : `${others.length} found.`);
  }

  function show(prefix, users, sentence) {
    foundFor = prefix;
    found = users;
    status.textContent = sentence;
    results.replaceChildren(...users.map(renderUser));
  }

  function renderUser({ nick, online }) {
    const item = document.createElement('li');
    item.dataset.nick = nick;
    const name = document.createElement('span');
    name.className = 'nick';
    name.textContent = nick;
    const presence = document.createElement('span');
    presence.className = 'presence';
    presence.textContent = online ? 'online' : 'away';
    const actions = document.createElement('span');
    actions.className = 'actions';
    actions.append(
      button('Message', 'direct', `Start a conversation with ${nick}`, () => onDirect(nick)),
      button('Profile', 'profile', `Profile of ${nick}`, () => onProfile(nick)),
    );
    item.append(createAvatar(nick), name, presence, actions);
    return item;
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  });
  input.addEventListener('keydown', async (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const typed = input.value.trim();
    if (foundFor !== typed) await search();
    if (input.value.trim() !== typed) return;
    const chosen = found.find((user) => user.nick === typed) ?? (found.length === 1 ? found[0] : undefined);
    if (chosen !== undefined) onDirect(chosen.nick);
  });

  return {
    /** clear empties the search (after a conversation was started). */
    clear() {
      clearTimeout(timer);
      input.value = '';
      asked += 1;
      show('', [], '');
    },
  };
}

function button(label, action, title, onClick) {
  const element = document.createElement('button');
  element.type = 'button';
  element.dataset.action = action;
  element.textContent = label;
  element.setAttribute('aria-label', title);
  element.addEventListener('click', onClick);
  return element;
}
