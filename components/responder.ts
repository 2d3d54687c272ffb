import { defineChatComponent } from '../src/app/app-context.ts';
import { replyPort } from '../src/protocol/ports.ts';

/** Responder is the end of the graph: it answers each Reply's request. */
export default defineChatComponent({
  name: 'Responder',
  description: 'Answers each request with the status, JSON body and headers of its Reply',
  inPorts: {
    in: replyPort('Replies from every component', true),
  },
  outPorts: {},
  create() {
    return {
      in(r) {
        r.request.respond(r.status, r.body, r.headers);
      },
    };
  },
});
