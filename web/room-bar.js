import { describeError } from './errors.js';
import { nickProblem } from './nick.js';
import { LOBBY, ROOM_MARKS, roomKind, roomTitle } from './room-name.js';

/**
 * createRoomBar heads the conversation with the open room's name and, for
 * a private room, its members and a form to invite someone (POST
 * B/rooms/R/invite through `invite(room, nick)`). Every room but the lobby
 * has a button to leave it, which calls `onLeave(room)`.
 */
export function createRoomBar({ elements, invite, me, onInvited, onLeave }) {
  const { mark, title, members, inviteForm, inviteNick, hint, leaveButton } = elements;
  let room = { name: LOBBY, private: false };

  function say(sentence, bad = false) {
    hint.textContent = sentence;
    hint.hidden = sentence === '';
    hint.classList.toggle('bad', bad);
  }

  function show(info) {
    room = info;
    const kind = roomKind(info);
    mark.textContent = ROOM_MARKS[kind];
    title.textContent = roomTitle(info, me());
    members.textContent = info.private ? `Members: ${(info.members ?? []).join(', ')}` : '';
    members.hidden = !info.private;
    // A direct conversation stays between its two people; a group is a private room.
    inviteForm.hidden = kind !== 'private';
    leaveButton.hidden = info.name === LOBBY;
    leaveButton.textContent = kind === 'direct' ? 'Leave conversation' : 'Leave room';
  }

  inviteForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const nick = inviteNick.value.trim();
    const problem = nickProblem(nick);
    if (problem !== null) return say(problem, true);
    const into = room.name;
    try {
      const answer = await invite(into, nick);
      inviteNick.value = '';
      if (room.name === into) {
        show({ ...room, ...answer.room });
        say(`Invited ${nick}.`);
      }
      onInvited(answer.room);
    } catch (refusal) {
      say(describeError(refusal), true);
    }
  });

  leaveButton.addEventListener('click', () => onLeave(room.name));

  return {
    /** show heads the conversation with another room (or new facts about it). */
    show(info) {
      if (info.name !== room.name) say('');
      show(info);
    },
  };
}
