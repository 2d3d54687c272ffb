import { wireComposer } from './composer.js';
import { createLogView } from './log-view.js';
import { loadNick } from './nick.js';
import { askNick } from './nick-dialog.js';
import { createOutbox } from './outbox.js';
import { createPoller } from './poller.js';
import { readSettings } from './settings.js';
import { createStatusView } from './status-view.js';

// Relative, so the page works wherever it is served: /gochat/ behind nginx
// or straight from the backend; the API is `chat` beside the page.
const ENDPOINT = 'chat';

const $ = (id) => document.getElementById(id);
const settings = readSettings(location.search);
let nick = loadNick();
let live = false;

const log = createLogView({ log: $('log'), unread: $('unread') });
const status = createStatusView({ element: $('state'), retry: $('reconnect'), announce: $('state-announce') });
const text = $('text');

const poller = createPoller({
  endpoint: ENDPOINT,
  room: settings.room,
  holdSeconds: settings.holdSeconds,
  pageSize: settings.pageSize,
  backoff: settings.backoff,
  onLive() {
    status.live();
    if (!live) outbox.flush();
    live = true;
  },
  onRetry({ at }) {
    live = false;
    if (navigator.onLine === false) status.offline(at);
    else status.reconnecting(at);
  },
  onAnswer({ messages, reset, truncated, more, seq }) {
    if (reset) {
      if ($('log').childElementCount > 0) notice('The chat server lost its history (it restarted); showing what it has now.');
      log.clear();
    }
    if (truncated) notice('Some messages were dropped by the server before this page could show them.');
    const mine = outbox.confirm(messages);
    log.add(messages, { follow: mine });
    if (!more) outbox.caughtUp(seq);
  },
});

const outbox = createOutbox({
  list: $('outbox'),
  endpoint: ENDPOINT,
  room: settings.room,
  backoff: settings.backoff,
  pollSeq: () => poller.seq,
  onSettled: () => text.focus(),
});

function notice(sentence) {
  $('notice-text').textContent = sentence;
  $('notice').hidden = false;
}
$('notice-close').addEventListener('click', () => {
  $('notice').hidden = true;
  text.focus();
});

wireComposer({
  form: $('compose'),
  text,
  hint: $('compose-hint'),
  onSend: (value) => outbox.send(value, nick),
});

$('reconnect').addEventListener('click', () => poller.retryNow());
addEventListener('online', () => poller.retryNow());
addEventListener('offline', () => {
  live = false;
  status.offline(Date.now());
});

async function chooseNick() {
  nick = await askNick({
    dialog: $('nick-dialog'),
    form: $('nick-form'),
    input: $('nick'),
    error: $('nick-error'),
    current: nick,
  });
  useNick();
}

function useNick() {
  $('me').textContent = nick;
  $('change-nick').hidden = false;
  text.disabled = false;
  $('send').disabled = false;
  text.focus();
}

$('change-nick').addEventListener('click', chooseNick);

status.connecting();
poller.start();
if (nick === null) chooseNick();
else useNick();
