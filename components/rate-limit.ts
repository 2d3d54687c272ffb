import { defineChatComponent } from '../src/app/app-context.ts';
import type { RoomCommand } from '../src/protocol/membership.ts';
import { errorReply, refusalOf, type HttpRequest, type PostCommand, type Reply } from '../src/protocol/packets.ts';
import { postPort, replyPort, roomCommandPort } from '../src/protocol/ports.ts';
import { integerSetting } from '../src/runtime/port.ts';
import { RATE_WINDOW_MS } from '../src/app/settings.ts';

/** The setting RateLimit takes as an initial packet, with its default. */
const settings = {
  limit: integerSetting('posts, room creations, invitations and leaves together, per user (anonymous posts: per client address) per 10 s; beyond it 429 `RATE_LIMITED`; `0` switches the limit off', 0, 1_000_000, 20),
};

/**
 * RateLimit passes on what a client makes (posts, room creations,
 * invitations, leaves) while it stays under its `limit` of them, together,
 * per 10 s: per user where there is a session, so a new session buys
 * nothing, else per client address. With Redis the count is every node's.
 */
export default defineChatComponent({
  name: 'RateLimit',
  description: 'Passes posts and changes to rooms on while their user (or, without a session, their client address) stays within its limit of them per 10 seconds; answers the rest 429',
  inPorts: {
    in: postPort('Checked posts', true),
    rooms: roomCommandPort('Requests to B/rooms: creating, inviting and leaving count as posts; listing is free'),
    ...settings,
  },
  outPorts: {
    out: postPort('Posts within the limit'),
    rooms: roomCommandPort('Requests to B/rooms within the limit'),
    error: replyPort('429 answers, with Retry-After'),
  },
  leadsTo: { in: ['out', 'error'], rooms: ['rooms', 'error'] },
  create({ out, app, background }) {
    const window = app.stores.rateWindow('posts', settings.limit.default, RATE_WINDOW_MS);

    /** refusal is the 429 for a request over the limit, or undefined when it may pass (and is counted). */
    function refusal(request: HttpRequest, waitMs: number): Reply | undefined {
      if (waitMs === 0) return undefined;
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      const message = `too many posts and changes to rooms: at most ${window.limit} every ${RATE_WINDOW_MS / 1000} s; send again in ${seconds} s`;
      return errorReply(request, 'RATE_LIMITED', message, { 'retry-after': String(seconds) });
    }

    /** limited passes a request on (`pass`) when it is within the limit, or answers it 429 (503 when the count cannot be reached). */
    function limited<P>(request: HttpRequest, packet: P, pass: (packet: P) => Promise<void> | undefined): Promise<void> | undefined {
      if (window.limit === 0) return pass(packet);
      const { session, clientAddress } = request;
      const waitMs = window.take(session === undefined ? clientAddress : `user:${session.user}`);
      const decide = (ms: number) => {
        const refused = refusal(request, ms);
        return refused === undefined ? pass(packet) : out.send('error', refused);
      };
      if (!(waitMs instanceof Promise)) return decide(waitMs);
      background(waitMs.then(decide, (error: unknown) => out.send('error', refusalOf(request, error))), request);
      return undefined;
    }

    return {
      in(command: PostCommand) {
        return limited(command.request, command, (c) => out.send('out', c));
      },
      rooms(command: RoomCommand) {
        if (command.request.method === 'GET') return out.send('rooms', command);
        return limited(command.request, command, (c) => out.send('rooms', c));
      },
      limit(max) {
        window.limit = max;
      },
      onStop() {
        window.clear();
      },
    };
  },
});
