import { defineChatComponent } from '../src/app/app-context.ts';
import { reply } from '../src/protocol/packets.ts';
import { replyPort, requestPort } from '../src/protocol/ports.ts';

/** Inspector answers with the running network: its processes, connections and counters. */
export default defineChatComponent({
  name: 'Inspector',
  description: 'Answers with the running network (processes, connections with their capacity and counters, errors per process) and with the requests traced lately',
  inPorts: {
    in: requestPort('GET B/graph', true),
    traces: requestPort('GET B/graph/traces'),
  },
  outPorts: {
    out: replyPort('The network description'),
  },
  leadsTo: { in: ['out'], traces: ['out'] },
  create({ out, app }) {
    return {
      in(request) {
        return out.send('out', reply(request, 200, app.describeNetwork()));
      },
      traces(request) {
        return out.send('out', reply(request, 200, { traces: app.traces.recent() }));
      },
    };
  },
});
