import { defineChatComponent } from '../src/app-context.ts';
import { ProtocolError } from '../src/protocol/errors.ts';
import { room, text, token } from '../src/protocol/fields.ts';
import { attempt, type HttpRequest, type PostCommand } from '../src/protocol/packets.ts';
import { postPort, replyPort, requestPort } from '../src/protocol/ports.ts';
import { integerSetting } from '../src/runtime/port.ts';

const MAX_AUTHOR = 64;

/** SendController checks a post's fields and hands it on to be stored. */
export default defineChatComponent({
  name: 'SendController',
  description: "Checks a post's text, author, room and nonce and passes it on",
  inPorts: {
    in: requestPort('POST requests with a parsed JSON or form body', true),
    maxText: integerSetting('Longest text in characters (default 4000)', 1, 100_000),
  },
  outPorts: {
    post: postPort('Checked posts'),
    error: replyPort('400 and 415 answers for bad bodies'),
  },
  create({ out }) {
    let maxText = 4000;
    return {
      in(request) {
        const checked = attempt(request, () => postCommand(request, maxText));
        return 'error' in checked ? out.send('error', checked.error) : out.send('post', checked.value);
      },
      maxText(value) {
        maxText = value;
      },
    };
  },
});

/** postCommand reads PROTOCOL.md's post fields from a JSON or form body. */
export function postCommand(request: HttpRequest, maxText: number): PostCommand {
  const body = request.body;
  if (body === undefined) throw new ProtocolError('UNSUPPORTED_MEDIA_TYPE', 'the post has no body; send {"author", "text"} as application/json or application/x-www-form-urlencoded');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProtocolError('BAD_JSON', 'the body must be a JSON object such as {"author": "alice", "text": "hi"}');
  }
  const fields = body as Record<string, unknown>;
  // Checked in PROTOCOL.md's order, so a body with several faults names the first.
  const checkedText = text(fields.text, 'text', 'BAD_TEXT', maxText, true);
  const author = text(fields.author, 'author', 'BAD_AUTHOR', MAX_AUTHOR, false);
  const inBody = fields.room === undefined ? undefined : room(fields.room, 'lobby');
  const inQuery = request.query.room === undefined ? undefined : room(request.query.room, 'lobby');
  if (inBody !== undefined && inQuery !== undefined && inBody !== inQuery) {
    throw new ProtocolError('BAD_ROOM', `room is "${inBody}" in the body but "${inQuery}" in the query; send it once`);
  }
  return {
    request,
    room: inBody ?? inQuery ?? 'lobby',
    author,
    text: checkedText,
    nonce: token(fields.nonce, 'BAD_NONCE'),
  };
}
