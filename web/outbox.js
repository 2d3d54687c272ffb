import { retryDelay } from './backoff.js';
import { describeError } from './errors.js';
import { makeNonce } from './nonce.js';

const POST_TIMEOUT_MS = 15_000;
// Past this, automatic retries stop and the reader decides (Retry/Discard).
const GIVE_UP_AFTER_MS = 120_000;

/**
 * createOutbox sends messages (PROTOCOL.md "Post") and lists them in `list`
 * until the server's copy comes back through the poll. Each message keeps
 * one nonce for all its tries, so a retry after a lost answer is recognised
 * by the server and never stored twice.
 *
 * Entry states (data-state): sending → sent (accepted, not yet seen in the
 * log) or waiting (retrying by itself after a network or server failure) or
 * failed (refused, or out of retries: Retry and Discard buttons).
 *
 * `post({text, room, nonce, private}, {timeoutMs})` makes the request (adding
 * the author); each message goes to the room that was current when it was
 * typed. Only the current room is polled, so a message accepted for another
 * room is done with at once. A message typed in a private room is sent with
 * `private: true`, so that a server that restarted and forgot the room
 * refuses it (404) instead of posting it to a public room of that name.
 */
export function createOutbox({ list, post, currentRoom, currentIsPrivate, backoff, pollSeq, onSettled, onAccepted = () => {} }) {
  const entries = new Map();
  let shownRoom = currentRoom();

  async function attempt(entry) {
    clearTimeout(entry.timer);
    entry.attempts += 1;
    entry.inFlight = true;
    update(entry, 'sending', 'Sending…');
    try {
      const fields = { text: entry.text, room: entry.room, nonce: entry.nonce, ...(entry.private ? { private: true } : {}) };
      await post(fields, { timeoutMs: POST_TIMEOUT_MS });
      entry.inFlight = false;
      if (!entries.has(entry.nonce)) return;
      entry.acceptedBefore = pollSeq();
      onAccepted(entry.room);
      if (entry.room !== currentRoom()) remove(entry);
      else update(entry, 'sent', 'Sent');
    } catch (error) {
      entry.inFlight = false;
      if (!entries.has(entry.nonce)) return;
      if (error.retryable && Date.now() - entry.firstTry < GIVE_UP_AFTER_MS) {
        const delay = retryDelay(entry.attempts - 1, error.retryAfterMs, backoff);
        entry.timer = setTimeout(() => attempt(entry), delay);
        update(entry, 'waiting', `Not delivered yet: ${describeError(error)} Retrying by itself.`);
      } else if (entry.private && error.code === 'NOT_FOUND') {
        update(entry, 'failed', 'This private room no longer exists (the chat server restarted and forgot it), so the message was not sent.');
      } else {
        update(entry, 'failed', describeError(error));
      }
    }
  }

  function update(entry, state, sentence) {
    entry.state = state;
    entry.element.dataset.state = state;
    entry.status.textContent = sentence;
    entry.actions.hidden = state !== 'failed';
  }

  function remove(entry) {
    clearTimeout(entry.timer);
    entries.delete(entry.nonce);
    entry.element.remove();
  }

  function render(entry) {
    const element = document.createElement('li');
    element.className = 'pending';
    element.dataset.nonce = entry.nonce;
    const where = document.createElement('span');
    where.className = 'room';
    where.textContent = `to ${entry.room}:`;
    where.hidden = entry.room === shownRoom;
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = entry.text;
    const status = document.createElement('span');
    status.className = 'status';
    status.setAttribute('role', 'status');
    const actions = document.createElement('span');
    actions.className = 'actions';
    actions.append(
      button('Retry', 'retry', () => {
        entry.firstTry = Date.now();
        entry.attempts = 0;
        attempt(entry);
        onSettled();
      }),
      button('Discard', 'discard', () => {
        remove(entry);
        onSettled();
      }),
    );
    element.append(where, text, status, actions);
    return Object.assign(entry, { element, where, status, actions });
  }

  return {
    /** send queues a new message to the current room and starts its first try. */
    send(text) {
      const entry = render({ nonce: makeNonce(), text, room: currentRoom(), private: currentIsPrivate(), attempts: 0, firstTry: Date.now(), timer: null, inFlight: false });
      entries.set(entry.nonce, entry);
      list.append(entry.element);
      attempt(entry);
    },
    /**
     * confirm drops the entries whose server copy is among `messages`
     * (same nonce and room) and says whether any did. The nonce alone is
     * 126 random bits no one else sees before the server stores the message.
     */
    confirm(messages) {
      let any = false;
      for (const message of messages) {
        const entry = typeof message?.nonce === 'string' ? entries.get(message.nonce) : undefined;
        if (entry && entry.room === message.room) {
          remove(entry);
          any = true;
        }
      }
      return any;
    },
    /**
     * caughtUp is told that the poll sent as number `seq` saw everything the
     * server holds. A message accepted before that poll was sent and still
     * unseen is gone: the server lost its history (restart) after taking it.
     */
    caughtUp(seq, room) {
      for (const entry of entries.values()) {
        if (entry.room === room && entry.state === 'sent' && entry.acceptedBefore < seq) {
          update(entry, 'failed', 'The chat server restarted and lost this message.');
        }
      }
    },
    /**
     * showRoom follows the page to another room: messages accepted for the
     * room it left are done with, the others say where they are going.
     */
    showRoom(room) {
      shownRoom = room;
      for (const entry of [...entries.values()]) {
        if (entry.state === 'sent' && entry.room !== room) remove(entry);
        else entry.where.hidden = entry.room === room;
      }
    },
    /** flush retries at once every entry waiting for its next automatic try. */
    flush() {
      for (const entry of entries.values()) {
        if (entry.state === 'waiting' && !entry.inFlight) attempt(entry);
      }
    },
  };
}

function button(label, action, onClick) {
  const element = document.createElement('button');
  element.type = 'button';
  element.dataset.action = action;
  element.textContent = label;
  element.addEventListener('click', onClick);
  return element;
}
