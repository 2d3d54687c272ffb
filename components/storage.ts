import { defineChatComponent } from '../src/app-context.ts';
import { noPrivateRoom } from '../src/protocol/errors.ts';
import { errorReply, JsonText, reply, type PollCommand, type Reply } from '../src/protocol/packets.ts';
import { listingPort, pollPort, postPort, presencePort, replyPort, requestPort, roomNamePort } from '../src/protocol/ports.ts';
import { integerSetting } from '../src/runtime/port.ts';
import { HeldPolls } from '../src/storage/held-polls.ts';
import { MemoryStore } from '../src/storage/memory-store.ts';
import { emptyAnswer, newMessageAnswer, pollAnswer } from '../src/storage/poll-answer.ts';
import type { Draft } from '../src/storage/store.ts';

// Seconds a client should wait before polling again when all poll slots are taken.
const POLL_RETRY_AFTER = '2';

/** Storage keeps the rooms' messages, answers polls from them and holds polls until a message comes. */
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
    capacity: integerSetting('Messages retained per room (default 1000)', 1, 1_000_000),
    maxRooms: integerSetting('Rooms holding messages at once (default 10000)', 1, 1_000_000),
    maxListed: integerSetting('Rooms a listing (GET B/rooms) shows at most, the most recently active first (default 200)', 1, 100_000),
    maxAnswerBytes: integerSetting('Largest poll answer in bytes (default 1048576: 1 MiB); a longer one stops early, with more: true', 16_384, 1_073_741_824),
  },
  outPorts: {
    out: replyPort('Answers to polls, posts and health checks'),
    listing: listingPort('Room listings with last ids, to be completed with who is online'),
  },
  create({ out, app }) {
    const store = new MemoryStore({}, app.now);
    const startedAt = app.now();
    let maxAnswerBytes = 1_048_576;
    let maxListed = 200;
    store.configure({ maxBytes: app.settings.storageMaxBytes });
    const held = new HeldPolls((command) => void out.send('out', ok(command, emptyAnswer(store.epoch, command))));

    /** append stores a message and releases the polls held in its room with it. */
    function append(draft: Draft) {
      const result = store.append(draft);
      if (result.kind !== 'appended') return { ...result, released: [] };
      const answer = newMessageAnswer(store.epoch, result.entry);
      return { ...result, released: held.take(draft.room).map((poll) => ok(poll, answer)) };
    }

    async function answerAll(replies: Iterable<Reply>): Promise<void> {
      for (const r of replies) {
        const full = out.send('out', r);
        if (full !== undefined) await full;
      }
    }

    return {
      poll(command) {
        if (command.request.ended) return undefined;
        const answer = pollAnswer(store, command, maxAnswerBytes);
        if (answer !== undefined) return out.send('out', ok(command, answer));
        if (held.count >= app.settings.maxHeldPolls) {
          return out.send('out', errorReply(command.request, 'TOO_MANY_POLLS', undefined, { 'retry-after': POLL_RETRY_AFTER }));
        }
        held.hold(command);
        return undefined;
      },

      post(command) {
        if (command.mustBePrivate) return out.send('out', errorReply(command.request, 'NOT_FOUND', noPrivateRoom(command.room).message));
        const result = append({ room: command.room, type: 'message', author: command.author, text: command.text, nonce: command.nonce });
        if (result.kind === 'room-limit') return out.send('out', errorReply(command.request, 'ROOM_LIMIT'));
        const body = new JsonText(`{"message":${result.entry.json}}`);
        return answerAll([...result.released, reply(command.request, result.kind === 'duplicate' ? 200 : 201, body)]);
      },

      presence({ room, nick, type }) {
        const text = `${nick} ${type === 'join' ? 'joined' : 'left'}`;
        const result = append({ room, type, author: nick, text });
        // A room that cannot open has nobody to tell.
        return result.kind === 'appended' ? answerAll(result.released) : undefined;
      },

      listing(listing) {
        const active = new Map<string, number>();
        for (const room of listing.rooms) {
          const tally = store.tally(room.name);
          ({ lastId: room.lastId, messages: room.messages } = tally);
          active.set(room.name, tally.active);
        }
        if (listing.kind === 'list') {
          // The most recently active first, and no more than maxListed: a listing costs the same however many rooms there are.
          let publicRooms = 0;
          for (const [name, { lastId, messages, active: at }] of store.rooms()) {
            if (publicRooms === maxListed) break;
            if (listing.hidden.has(name)) continue;
            listing.rooms.push({ name, private: false, lastId, messages });
            active.set(name, at);
            publicRooms++;
          }
          listing.rooms.sort((a, b) => (active.get(b.name) ?? 0) - (active.get(a.name) ?? 0));
          listing.rooms.length = Math.min(listing.rooms.length, maxListed);
        }
        return out.send('listing', listing);
      },

      health(request) {
        return out.send('out', reply(request, 200, {
          status: 'ok',
          epoch: store.epoch,
          uptimeMs: app.now() - startedAt,
          heldPolls: held.count,
          rooms: store.roomCount,
        }));
      },

      forget(room) {
        store.delete(room);
        // Polls still held there (a member's other tab) learn nothing more of it.
        return answerAll(held.take(room).map((poll) => ok(poll, emptyAnswer(store.epoch, poll))));
      },

      capacity(capacity) {
        store.configure({ capacity });
      },

      maxRooms(maxRooms) {
        store.configure({ maxRooms });
      },

      maxAnswerBytes(bytes) {
        maxAnswerBytes = bytes;
      },

      maxListed(max) {
        maxListed = max;
      },

      onStop() {
        return answerAll(held.takeAll().map((poll) => ok(poll, emptyAnswer(store.epoch, poll))));
      },
    };
  },
});

function ok(command: PollCommand, body: JsonText): Reply {
  return reply(command.request, 200, body);
}
