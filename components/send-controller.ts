import { defineChatComponent } from '../src/app/app-context.ts';
import { ProtocolError } from '../src/protocol/errors.ts';
import { jsonObject, room, text, token } from '../src/protocol/fields.ts';
import { attempt, type HttpRequest, type PostCommand } from '../src/protocol/packets.ts';
import { postPort, replyPort, requestPort } from '../src/protocol/ports.ts';
import { booleanSetting, integerSetting } from '../src/runtime/port.ts';

const MAX_AUTHOR = 64;

/** The settings SendController takes as initial packets, with their defaults. */
const settings = {
  maxText: integerSetting('longest `text` in characters', 1, 100_000, 4000),
  sessionRequired: booleanSetting('whether posting to a public room needs a session; `false` is gochat\'s open posting (a post then needs `author`)', true),
};

/** SendController checks a post's fields and hands it on to be stored. */
export default defineChatComponent({
  name: 'SendController',
  description: "Checks a post's text, author, room, nonce and private flag and passes it on",
  inPorts: {
    in: requestPort('POST requests with a parsed JSON or form body', true),
    ...settings,
  },
  outPorts: {
    post: postPort('Checked posts'),
    error: replyPort('400, 401, 403 and 415 answers'),
  },
  leadsTo: { in: ['post', 'error'] },
  create({ out }) {
    const rules = { maxText: settings.maxText.default, sessionRequired: settings.sessionRequired.default };
    return {
      in(request) {
        const checked = attempt(request, () => postCommand(request, rules));
        return 'error' in checked ? out.send('error', checked.error) : out.send('post', checked.value);
      },
      maxText(value) {
        rules.maxText = value;
      },
      sessionRequired(value) {
        rules.sessionRequired = value;
      },
    };
  },
});

export interface PostRules {
  readonly maxText: number;
  readonly sessionRequired: boolean;
}

/**
 * postCommand reads PROTOCOL.md's post fields from a JSON or form body.
 * With a session the author is the session's nick; without one, posting
 * needs `author` and is refused where sessions are required.
 */
export function postCommand(request: HttpRequest, rules: PostRules): PostCommand {
  const { session } = request;
  if (session === undefined && rules.sessionRequired) throw new ProtocolError('NO_SESSION', 'posting needs a session; open one with POST /session and send its token as "Authorization: Bearer <token>"');
  const fields = jsonObject(request.body);
  // Checked in PROTOCOL.md's order, so a body with several faults names the first.
  const checkedText = text(fields.text, 'text', 'BAD_TEXT', rules.maxText, true);
  const author = session !== undefined && fields.author === undefined ? session.nick : text(fields.author, 'author', 'BAD_AUTHOR', MAX_AUTHOR, false);
  if (session !== undefined && author !== session.nick) {
    throw new ProtocolError('AUTHOR_MISMATCH', `author "${author}" is not your session's nick "${session.nick}"; leave author out or send your own nick`);
  }
  const inBody = fields.room === undefined ? undefined : room(fields.room, 'lobby');
  const inQuery = request.query.room === undefined ? undefined : room(request.query.room, 'lobby');
  if (inBody !== undefined && inQuery !== undefined && inBody !== inQuery) {
    throw new ProtocolError('BAD_ROOM', `room is "${inBody}" in the body but "${inQuery}" in the query; send it once`);
  }
  const nonce = token(fields.nonce, 'BAD_NONCE');
  if (fields.private !== undefined && typeof fields.private !== 'boolean') throw new ProtocolError('BAD_FIELD', '"private" must be true or false');
  return { request, room: inBody ?? inQuery ?? 'lobby', author, text: checkedText, nonce, mustBePrivate: fields.private === true };
}
