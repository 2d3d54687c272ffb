import { defineChatComponent } from '../src/app/app-context.ts';
import { PlainText, refusalOf, reply } from '../src/protocol/packets.ts';
import { replyPort, requestPort } from '../src/protocol/ports.ts';

/** Metrics answers Prometheus's scrapes: what the components counted, the graph's counters, and the process's own figures. */
export default defineChatComponent({
  name: 'Metrics',
  description: "Answers GET B/metrics in Prometheus's text format: held polls, requests, messages, deliveries and their latency, the graph's connections and errors, and the process's figures",
  inPorts: {
    in: requestPort('GET B/metrics', true),
  },
  outPorts: {
    out: replyPort('The metrics'),
  },
  leadsTo: { in: ['out'] },
  create({ out, app, background }) {
    return {
      in(request) {
        const scraped = app.scrape().then(
          ({ text, contentType }) => out.send('out', reply(request, 200, new PlainText(text, contentType))),
          (error: unknown) => out.send('out', refusalOf(request, error)),
        );
        background(scraped, request);
      },
    };
  },
});
