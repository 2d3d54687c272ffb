import { createAvatar } from './avatar.js';

// How close to the bottom (in CSS pixels) still counts as "at the bottom":
// fractional scroll positions on zoomed or high-density screens stop a few
// pixels short.
const BOTTOM_SLACK_PX = 24;

/**
 * createLogView renders server messages into `log` as text only, at most
 * once per id, in id order. It follows new messages while the reader is at
 * the bottom; otherwise it keeps the view still and counts them on the
 * `unread` button, which scrolls down when pressed.
 */
export function createLogView({ log, unread }) {
  const shown = new Set();
  let unseen = 0;
  // scrollTop when the view was last at the bottom, null once the reader
  // scrolled away. A shrinking viewport (header wraps, phone keyboard
  // opens) leaves scrollTop alone but is not the reader leaving the bottom.
  let bottomTop = log.scrollTop;

  const atBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight <= BOTTOM_SLACK_PX;
  const following = () => atBottom() || log.scrollTop === bottomTop;

  function scrollToBottom() {
    log.scrollTop = log.scrollHeight;
    bottomTop = log.scrollTop;
    markSeen();
  }

  function markSeen() {
    unseen = 0;
    unread.hidden = true;
  }

  log.addEventListener('scroll', () => {
    if (atBottom()) {
      bottomTop = log.scrollTop;
      markSeen();
    } else if (log.scrollTop !== bottomTop) {
      bottomTop = null;
    }
  });
  new ResizeObserver(() => {
    if (log.scrollTop === bottomTop) scrollToBottom();
  }).observe(log);
  unread.addEventListener('click', scrollToBottom);

  return {
    /** clear forgets every shown message (the server's history was reset). */
    clear() {
      log.replaceChildren();
      shown.clear();
      markSeen();
    },
    /**
     * add shows the messages not shown yet. `follow` scrolls to them even
     * when the reader is scrolled up (their own message came back).
     */
    add(messages, { follow = false } = {}) {
      const stay = !following();
      let added = 0;
      for (const message of messages) {
        if (!Number.isSafeInteger(message?.id) || shown.has(message.id)) continue;
        shown.add(message.id);
        insertInOrder(log, renderMessage(message), message.id);
        added += 1;
      }
      if (added === 0) return;
      if (stay && !follow) {
        unseen += added;
        unread.textContent = `${unseen} new ${unseen === 1 ? 'message' : 'messages'} ↓`;
        unread.hidden = false;
      } else {
        scrollToBottom();
      }
    },
  };
}

// Answers arrive in id order, so this is an append except after a server bug.
function insertInOrder(log, entry, id) {
  let after = log.lastElementChild;
  while (after && Number(after.dataset.id) > id) after = after.previousElementSibling;
  log.insertBefore(entry, after ? after.nextElementSibling : log.firstElementChild);
}

/**
 * renderMessage builds one log entry. Every piece of server data goes
 * through textContent or dataset, never through HTML parsing: author and
 * text are whatever someone typed.
 */
export function renderMessage(message) {
  const entry = document.createElement('li');
  const event = message.type === 'join' || message.type === 'leave';
  entry.className = event ? 'entry event' : 'entry';
  entry.dataset.id = String(message.id);
  entry.dataset.author = String(message.author ?? '');
  entry.dataset.type = String(message.type ?? 'message');

  const when = new Date(Number(message.time));
  const time = document.createElement('time');
  if (!Number.isNaN(when.getTime())) {
    time.dateTime = when.toISOString();
    time.title = when.toLocaleString();
    time.textContent = when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }
  entry.append(time);

  if (!event) {
    const author = document.createElement('span');
    author.className = 'author';
    author.textContent = String(message.author ?? '');
    entry.append(createAvatar(String(message.author ?? '')), author);
  }
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = String(message.text ?? '');
  entry.append(text);
  return entry;
}
