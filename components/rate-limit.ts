import { defineChatComponent } from '../src/app-context.ts';
import { errorReply } from '../src/protocol/packets.ts';
import { postPort, replyPort } from '../src/protocol/ports.ts';
import { SlidingWindow } from '../src/rate/sliding-window.ts';
import { RATE_WINDOW_MS } from '../src/settings.ts';

/** RateLimit passes posts on while their client stays under RATE_LIMIT posts per 10 s. */
export default defineChatComponent({
  name: 'RateLimit',
  description: 'Passes posts on while their session (or, without one, their client address) stays within RATE_LIMIT posts per 10 seconds; answers the rest 429',
  inPorts: {
    in: postPort('Checked posts', true),
  },
  outPorts: {
    out: postPort('Posts within the limit'),
    error: replyPort('429 answers, with Retry-After'),
  },
  create({ out, app }) {
    const limit = app.settings.rateLimit;
    const window = new SlidingWindow(limit, RATE_WINDOW_MS, app.now);
    return {
      in(command) {
        if (limit === 0) return out.send('out', command);
        // Per session where there is one, else per client address (PROTOCOL.md, Post).
        const { session, clientAddress } = command.request;
        const waitMs = window.take(session === undefined ? clientAddress : `session:${session.token}`);
        if (waitMs === 0) return out.send('out', command);
        const seconds = Math.max(1, Math.ceil(waitMs / 1000));
        return out.send('error', errorReply(command.request, 'RATE_LIMITED', `too many posts: at most ${limit} every ${RATE_WINDOW_MS / 1000} s; send again in ${seconds} s`, { 'retry-after': String(seconds) }));
      },
      onStop() {
        window.clear();
      },
    };
  },
});
