import { createAvatar } from './avatar.js';

/**
 * createUserList shows who is in the open room now (GET B/users?room=R
 * through `listUsers(room)`), each with an avatar; choosing one calls
 * `onOpen(nick)` (their profile). It asks again every `everyMs`, and soon
 * after `changed()` (a join or leave line arrived).
 */
export function createUserList({ element, count, listUsers, me, onOpen, everyMs }) {
  let room = null;
  let timer = null;
  let asked = 0;

  async function refresh() {
    clearTimeout(timer);
    timer = setTimeout(refresh, everyMs);
    const mine = ++asked;
    let users;
    try {
      ({ users } = await listUsers(room));
    } catch {
      // A room one may not list (left, or never a member) shows nobody.
      users = [];
    }
    if (mine !== asked || !Array.isArray(users)) return;
    render(users.filter((user) => typeof user?.nick === 'string'));
  }

  function render(users) {
    count.textContent = String(users.length);
    element.replaceChildren(...users.map(({ nick }) => {
      const item = document.createElement('li');
      item.dataset.nick = nick;
      const button = document.createElement('button');
      button.type = 'button';
      const name = document.createElement('span');
      name.className = 'nick';
      name.textContent = nick === me() ? `${nick} (you)` : nick;
      button.append(createAvatar(nick), name);
      button.title = `Profile of ${nick}`;
      button.addEventListener('click', () => onOpen(nick));
      item.append(button);
      return item;
    }));
  }

  return {
    /** setRoom lists the people of another room. */
    setRoom(name) {
      room = name;
      render([]);
      refresh();
    },
    refresh,
    /** changed refreshes soon: someone came or went. */
    changed() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    },
  };
}
