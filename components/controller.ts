import { defineChatComponent } from '../src/app/app-context.ts';
import { decimal, integer, room, token } from '../src/protocol/fields.ts';
import { attempt, type HttpRequest, type PollCommand } from '../src/protocol/packets.ts';
import { pollPort, replyPort, requestPort } from '../src/protocol/ports.ts';

/** Controller checks a poll's query and hands it to Storage. */
export default defineChatComponent({
  name: 'Controller',
  description: "Checks a poll's parameters (since, room, epoch, timeout, limit) and passes it on",
  inPorts: {
    in: requestPort('GET polls', true),
  },
  outPorts: {
    poll: pollPort('Checked polls'),
    error: replyPort('400 answers for bad parameters'),
  },
  leadsTo: { in: ['poll', 'error'] },
  create({ out }) {
    return {
      in(request) {
        const checked = attempt(request, () => pollCommand(request));
        return 'error' in checked ? out.send('error', checked.error) : out.send('poll', checked.value);
      },
    };
  },
});

/** pollCommand reads PROTOCOL.md's poll parameters, with their defaults. */
export function pollCommand(request: HttpRequest): PollCommand {
  const q = request.query;
  // A burst of polls asking the same shares one query's fields (IncomingRequest.query), and so its check.
  if (lastChecked?.query !== q) lastChecked = { query: q, parameters: pollParameters(q) };
  const p = lastChecked.parameters;
  return { request, since: p.since, room: p.room, epoch: p.epoch, timeoutMs: p.timeoutMs, limit: p.limit };
}

type PollParameters = Omit<PollCommand, 'request'>;

/** The last query checked, and what it asked for. */
let lastChecked: { readonly query: HttpRequest['query']; readonly parameters: PollParameters } | undefined;

/** pollParameters checks a query's poll parameters, throwing ProtocolError for a bad one. */
function pollParameters(q: HttpRequest['query']): PollParameters {
  return {
    since: integer(q.since, 'BAD_SINCE', 0, Number.MAX_SAFE_INTEGER, 0),
    room: room(q.room, 'lobby'),
    epoch: token(q.epoch, 'BAD_EPOCH'),
    timeoutMs: Math.round(decimal(q.timeout, 'BAD_TIMEOUT', 0, 60, 25) * 1000),
    limit: integer(q.limit, 'BAD_LIMIT', 1, 1000, 100),
  };
}
