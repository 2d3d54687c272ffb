import { defineChatComponent } from '../src/app-context.ts';
import { errorReply, JsonText, reply, type PollCommand, type Reply } from '../src/protocol/packets.ts';
import { pollPort, postPort, replyPort, requestPort } from '../src/protocol/ports.ts';
import { integerSetting } from '../src/runtime/port.ts';
import { HeldPolls } from '../src/storage/held-polls.ts';
import { MemoryStore } from '../src/storage/memory-store.ts';
import { emptyAnswer, newMessageAnswer, pollAnswer } from '../src/storage/poll-answer.ts';

// Seconds a client should wait before polling again when all poll slots are taken.
const POLL_RETRY_AFTER = '2';

/** Storage keeps the rooms' messages, answers polls from them and holds polls until a message comes. */
export default defineChatComponent({
  name: 'Storage',
  description: "Keeps each room's newest messages, answers polls from them and holds polls until a message arrives",
  inPorts: {
    poll: pollPort('Checked polls, answered at once or held'),
    post: postPort('Checked posts, stored and announced to the polls held in their room'),
    health: requestPort('Health checks, answered with the store\'s epoch, rooms and held polls'),
    capacity: integerSetting('Messages retained per room (default 1000)', 1, 1_000_000),
    maxRooms: integerSetting('Rooms holding messages at once (default 10000)', 1, 1_000_000),
  },
  outPorts: {
    out: replyPort('Answers to polls, posts and health checks'),
  },
  create({ out, app }) {
    const store = new MemoryStore();
    const startedAt = Date.now();
    const held = new HeldPolls((command) => void out.send('out', ok(command, emptyAnswer(store.epoch, command))));

    async function answerAll(replies: Iterable<Reply>): Promise<void> {
      for (const r of replies) {
        const full = out.send('out', r);
        if (full !== undefined) await full;
      }
    }

    return {
      poll(command) {
        if (command.request.signal.aborted) return undefined;
        const answer = pollAnswer(store, command);
        if (answer !== undefined) return out.send('out', ok(command, answer));
        if (held.count >= app.settings.maxHeldPolls) {
          return out.send('out', errorReply(command.request, 'TOO_MANY_POLLS', undefined, { 'retry-after': POLL_RETRY_AFTER }));
        }
        held.hold(command);
        return undefined;
      },

      post(command) {
        const result = store.append({ room: command.room, type: 'message', author: command.author, text: command.text, nonce: command.nonce });
        if (result.kind === 'room-limit') return out.send('out', errorReply(command.request, 'ROOM_LIMIT'));
        const body = new JsonText(`{"message":${result.entry.json}}`);
        if (result.kind === 'duplicate') return out.send('out', reply(command.request, 200, body));
        const answer = newMessageAnswer(store.epoch, result.entry);
        const waiting = held.take(command.room).map((poll) => ok(poll, answer));
        return answerAll([...waiting, reply(command.request, 201, body)]);
      },

      health(request) {
        return out.send('out', reply(request, 200, {
          status: 'ok',
          epoch: store.epoch,
          uptimeMs: Date.now() - startedAt,
          heldPolls: held.count,
          rooms: store.roomCount,
        }));
      },

      capacity(capacity) {
        store.configure({ capacity });
      },

      maxRooms(maxRooms) {
        store.configure({ maxRooms });
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
