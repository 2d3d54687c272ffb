import { defineChatComponent } from '../src/app-context.ts';
import type { RoomCommand } from '../src/protocol/membership.ts';
import { errorReply, type HttpRequest, type PostCommand } from '../src/protocol/packets.ts';
import { postPort, replyPort, roomCommandPort } from '../src/protocol/ports.ts';
import { SlidingWindow } from '../src/rate/sliding-window.ts';
import { RATE_WINDOW_MS } from '../src/settings.ts';

/**
 * RateLimit passes on what a client makes (posts, room creations,
 * invitations, leaves) while it stays under RATE_LIMIT of them, together,
 * per 10 s: per user where there is a session, so a new session buys
 * nothing, else per client address.
 */
export default defineChatComponent({
  name: 'RateLimit',
  description: 'Passes posts and changes to rooms on while their user (or, without a session, their client address) stays within RATE_LIMIT of them per 10 seconds; answers the rest 429',
  inPorts: {
    in: postPort('Checked posts', true),
    rooms: roomCommandPort('Requests to B/rooms: creating, inviting and leaving count as posts; listing is free'),
  },
  outPorts: {
    out: postPort('Posts within the limit'),
    rooms: roomCommandPort('Requests to B/rooms within the limit'),
    error: replyPort('429 answers, with Retry-After'),
  },
  create({ out, app }) {
    const limit = app.settings.rateLimit;
    const window = new SlidingWindow(limit, RATE_WINDOW_MS, app.now);

    /** refusal is the 429 for a request over the limit, or undefined when it may pass (and is counted). */
    function refusal(request: HttpRequest) {
      if (limit === 0) return undefined;
      const { session, clientAddress } = request;
      const waitMs = window.take(session === undefined ? clientAddress : `user:${session.user}`);
      if (waitMs === 0) return undefined;
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      const message = `too many posts and changes to rooms: at most ${limit} every ${RATE_WINDOW_MS / 1000} s; send again in ${seconds} s`;
      return errorReply(request, 'RATE_LIMITED', message, { 'retry-after': String(seconds) });
    }

    return {
      in(command: PostCommand) {
        const refused = refusal(command.request);
        return refused === undefined ? out.send('out', command) : out.send('error', refused);
      },
      rooms(command: RoomCommand) {
        const refused = command.request.method === 'GET' ? undefined : refusal(command.request);
        return refused === undefined ? out.send('rooms', command) : out.send('error', refused);
      },
      onStop() {
        window.clear();
      },
    };
  },
});
