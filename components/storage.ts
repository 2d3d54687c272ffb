import { defineChatComponent } from '../src/app/app-context.ts';
import type { MaybePromise } from '../src/util/maybe-promise.ts';
import { noPrivateRoom } from '../src/protocol/errors.ts';
import type { RoomListing } from '../src/protocol/membership.ts';
import { errorReply, JsonText, refusalOf, reply, type HttpRequest, type PollCommand, type PostCommand, type Reply } from '../src/protocol/packets.ts';
import { listingPort, pollPort, postPort, presencePort, replyPort, requestPort, roomNamePort } from '../src/protocol/ports.ts';
import { integerSetting } from '../src/runtime/port.ts';
import { HeldPolls } from '../src/storage/held-polls.ts';
import { emptyAnswer, newMessageAnswer, pollAnswer } from '../src/storage/poll-answer.ts';
import { ReadsInFlight } from '../src/storage/reads-in-flight.ts';
import { SharedAnswers } from '../src/storage/shared-answers.ts';
import type { AppendResult, Entry, RoomTally, StoreEvent } from '../src/storage/store.ts';

// Seconds a client should wait before polling again when all poll slots are taken.
const POLL_RETRY_AFTER = '2';

type Sent = Promise<void> | undefined;

/** The settings Storage takes as initial packets, with their defaults. */
const settings = {
  capacity: integerSetting('messages retained per room; older ones are dropped (clients see `truncated`)', 1, 1_000_000, 1000),
  maxRooms: integerSetting('rooms holding posted messages at once; a post that would open another gets 503 `ROOM_LIMIT`. Rooms holding only join and leave lines do not count, and are forgotten (least recently active first) before rooms of all kinds together pass this number', 1, 1_000_000, 10_000),
  maxListed: integerSetting('rooms a listing (`GET B/rooms`) shows at most, the most recently active first', 1, 100_000, 200),
  maxAnswerBytes: integerSetting('largest poll answer in bytes (1 MiB); a longer one stops early, with at least one message and `more: true`', 16_384, 1_073_741_824, 1_048_576),
  maxHeldPolls: integerSetting('polls held at once; beyond it 503 `TOO_MANY_POLLS`', 1, 1_000_000, 10_000),
};

/**
 * Storage keeps the rooms' messages, answers polls from them and holds polls
 * until a message comes. Its store is the application's (memory, or Redis
 * shared by every node): an append, from this node or another, comes back
 * as an event that releases the polls held here.
 */
export default defineChatComponent({
  name: 'Storage',
  description: "Keeps each room's newest messages, answers polls from them and holds polls until a message arrives",
  inPorts: {
    poll: pollPort('Checked polls, answered at once or held'),
    post: postPort('Checked posts, stored and announced to the polls held in their room'),
    presence: presencePort('Join and leave events, appended as messages'),
    listing: listingPort('Room listings, completed with the public rooms and each room\'s last id'),
    health: requestPort('Health checks, answered with the store\'s epoch, rooms and held polls'),
    forget: roomNamePort('Rooms to delete with their history (a private room whose last member left)'),
    ...settings,
  },
  outPorts: {
    out: replyPort('Answers to polls, posts and health checks'),
    listing: listingPort('Room listings with last ids, to be completed with who is online'),
  },
  leadsTo: { poll: ['out'], post: ['out'], presence: ['out'], health: ['out'], listing: ['listing', 'out'] },
  create({ out, app, background }) {
    const store = app.stores.messages;
    const startedAt = app.now();
    let maxAnswerBytes = settings.maxAnswerBytes.default;
    let maxListed = settings.maxListed.default;
    let maxHeldPolls = settings.maxHeldPolls.default;
    const held = new HeldPolls((command) => void out.send('out', ok(command, emptyAnswer(store.epoch, command))));
    const reads = new ReadsInFlight();
    const sharedAnswers = new SharedAnswers();
    // Answers to polls an in-memory append released while its handler ran: the handler waits for them.
    let releasing: Sent;
    const unsubscribe = store.subscribe(heard);
    const unmeter = app.meters.holding(() => held.count);

    /**
     * answer goes on with what the store gave: at once when it answered at
     * once, later (without holding the process) when it answers later; a
     * store that cannot be reached answers the request 503.
     */
    function answer<T>(request: HttpRequest, value: MaybePromise<T>, next: (value: T) => Sent): Sent {
      if (!(value instanceof Promise)) return next(value);
      background(value.then(next, (error: unknown) => out.send('out', refusalOf(request, error))), request);
      return undefined;
    }

    function heard(event: StoreEvent): void {
      if (event.kind === 'appended') released(event.entry);
      else if (event.kind === 'deleted') releasing = answerAll(held.take(event.room).map(nothingNew));
      else if (event.kind === 'unavailable') releasing = answerAll(held.takeAll().map(nothingNew));
      else for (const command of held.takeAll()) void poll(command);
    }

    /** released answers the polls held in the entry's room that are waiting for exactly it; the others look again. */
    function released(entry: Entry): void {
      const { id, room } = entry.message;
      reads.saw(room, id);
      const polls = held.take(room);
      if (polls.length === 0) return;
      let shared: JsonText | undefined;
      const replies: Reply[] = [];
      for (const command of polls) {
        // One that missed an event, or that waits in a room whose ids started again.
        if (command.since + 1 !== id) void poll(command);
        else replies.push(ok(command, (shared ??= newMessageAnswer(store.epoch, entry))));
      }
      if (replies.length > 0) {
        app.meters.delivered(replies.length);
        app.meters.released(app.now() - entry.message.time);
      }
      releasing = answerAll(replies);
    }

    function poll(command: PollCommand): Sent {
      if (command.request.ended) return undefined;
      const found = pollAnswer(store, command, maxAnswerBytes, sharedAnswers);
      if (!(found instanceof Promise)) return hold(command, found, 0);
      reads.begin(command.room);
      const done = found.then(
        (body) => void hold(command, body, reads.end(command.room)),
        (error: unknown) => {
          reads.end(command.room);
          if (!command.request.ended) void out.send('out', refusalOf(command.request, error));
        },
      );
      background(done, command);
      return undefined;
    }

    /** hold answers a poll with what its read found, or holds it; `heard` is the newest id heard in its room while the read was on its way. */
    function hold(command: PollCommand, body: JsonText | undefined, heard: number): Sent {
      if (command.request.ended) return undefined;
      if (body !== undefined) {
        app.meters.delivered(body.messages);
        return out.send('out', ok(command, body));
      }
      if (heard > command.since) return poll(command);
      if (held.count >= maxHeldPolls) {
        return out.send('out', errorReply(command.request, 'TOO_MANY_POLLS', undefined, { 'retry-after': POLL_RETRY_AFTER }));
      }
      held.hold(command);
      return undefined;
    }

    function posted(command: PostCommand, result: AppendResult): Sent {
      const before = takeReleasing();
      if (result.kind === 'room-limit') return sendAfter(before, errorReply(command.request, 'ROOM_LIMIT'));
      if (result.kind === 'appended') app.meters.appended();
      const body = new JsonText(`{"message":${result.entry.json}}`);
      return sendAfter(before, reply(command.request, result.kind === 'duplicate' ? 200 : 201, body));
    }

    /** sendAfter sends a reply once the answers before it have gone. */
    function sendAfter(before: Sent, r: Reply): Sent {
      return before === undefined ? out.send('out', r) : before.then(() => out.send('out', r));
    }

    function takeReleasing(): Sent {
      const sent = releasing;
      releasing = undefined;
      return sent;
    }

    function nothingNew(command: PollCommand): Reply {
      return ok(command, emptyAnswer(store.epoch, command));
    }

    /** answerAll sends replies in order; only when the connection is full is there something to wait for. */
    function answerAll(replies: readonly Reply[], from = 0): Sent {
      for (let i = from; i < replies.length; i++) {
        const full = out.send('out', replies[i] as Reply);
        if (full !== undefined) return full.then(() => answerAll(replies, i + 1));
      }
      return undefined;
    }

    /** completed fills in a listing: each room's last id and count, and for a list the most recently active public rooms. */
    function completed(listing: RoomListing, tallies: readonly RoomTally[], recent: readonly [string, RoomTally][]): Sent {
      const active = new Map<string, number>();
      listing.rooms.forEach((room, i) => {
        const tally = tallies[i] as RoomTally;
        ({ lastId: room.lastId, messages: room.messages } = tally);
        active.set(room.name, tally.active);
      });
      if (listing.kind === 'list') {
        for (const [name, { lastId, messages, active: at }] of recent) {
          listing.rooms.push({ name, private: false, lastId, messages });
          active.set(name, at);
        }
        // The most recently active first, and no more than maxListed: a listing costs the same however many rooms there are.
        listing.rooms.sort((a, b) => (active.get(b.name) ?? 0) - (active.get(a.name) ?? 0));
        listing.rooms.length = Math.min(listing.rooms.length, maxListed);
      }
      return out.send('listing', listing);
    }

    return {
      poll,

      post(command) {
        if (command.mustBePrivate) return out.send('out', errorReply(command.request, 'NOT_FOUND', noPrivateRoom(command.room).message));
        const draft = { room: command.room, type: 'message', author: command.author, text: command.text, nonce: command.nonce } as const;
        return answer(command.request, store.append(draft), (result) => posted(command, result));
      },

      presence({ room, nick, type }) {
        const text = `${nick} ${type === 'join' ? 'joined' : 'left'}`;
        const appended = store.append({ room, type, author: nick, text });
        // Nobody asked for a line: a store that cannot take one now loses it, and a room that cannot open has nobody to tell.
        if (appended instanceof Promise) return void background(appended.catch(() => undefined), undefined);
        return takeReleasing();
      },

      listing(listing) {
        const tallies = store.tallies(listing.rooms.map((room) => room.name));
        const recent = listing.kind === 'list' ? store.recent(maxListed, listing.hidden) : [];
        if (!(tallies instanceof Promise) && !(recent instanceof Promise)) return completed(listing, tallies, recent);
        return answer(listing.request, Promise.all([tallies, recent]), ([t, r]) => completed(listing, t, r));
      },

      health(request) {
        return answer(request, store.roomCount(), (rooms) => out.send('out', reply(request, 200, {
          status: 'ok',
          epoch: store.epoch,
          uptimeMs: app.now() - startedAt,
          heldPolls: held.count,
          rooms,
        })));
      },

      forget(room) {
        // Polls still held there (a member's other tab) learn nothing more of it: the store's event answers them.
        const deleted = store.delete(room);
        if (deleted instanceof Promise) return void background(deleted, undefined);
        return takeReleasing();
      },

      capacity(capacity) {
        store.configure({ capacity });
      },

      maxRooms(maxRooms) {
        store.configure({ maxRooms });
      },

      maxAnswerBytes(bytes) {
        maxAnswerBytes = bytes;
        sharedAnswers.forget();
      },

      maxListed(max) {
        maxListed = max;
      },

      maxHeldPolls(max) {
        maxHeldPolls = max;
      },

      onStop() {
        unsubscribe();
        unmeter();
        return answerAll(held.takeAll().map(nothingNew));
      },
    };
  },
});

function ok(command: PollCommand, body: JsonText): Reply {
  return reply(command.request, 200, body);
}
