import { describeError } from './errors.js';
import { roomProblem } from './room-name.js';

/**
 * wireRoomForm lets one open a room by name. A public room needs no
 * creation (PROTOCOL.md), so it is simply opened (`onOpen(name)`); a
 * private one is created first (`create({name?, private: true})`, POST
 * B/rooms; without a name the server draws one) and then opened
 * (`onCreated(room)`).
 */
export function wireRoomForm({ form, name, isPrivate, error, create, onOpen, onCreated }) {
  const submit = form.querySelector('button[type="submit"]');

  function fail(sentence) {
    error.textContent = sentence;
    error.hidden = sentence === '';
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const wanted = name.value.trim().toLowerCase();
    const problem = wanted === '' && isPrivate.checked ? null : roomProblem(wanted);
    if (problem !== null) {
      fail(problem);
      name.focus();
      return;
    }
    fail('');
    if (!isPrivate.checked) {
      name.value = '';
      onOpen(wanted);
      return;
    }
    submit.disabled = true;
    try {
      const { room } = await create(wanted === '' ? { private: true } : { name: wanted, private: true });
      name.value = '';
      isPrivate.checked = false;
      onCreated(room);
    } catch (refusal) {
      fail(refusal.code === 'BAD_ROOM' ? refusal.message : describeError(refusal));
      name.focus();
    } finally {
      submit.disabled = false;
    }
  });
}
