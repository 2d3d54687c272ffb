import { defineChatComponent } from '../src/app-context.ts';
import { errorReply } from '../src/protocol/packets.ts';
import { replyPort, requestPort } from '../src/protocol/ports.ts';

type Route = 'poll' | 'post' | 'health' | 'graph';

// Paths are relative to the base path B; routing is by method and path.
const ROUTES: Readonly<Record<string, Readonly<Record<string, Route>>>> = {
  '': { GET: 'poll', POST: 'post' },
  '/health': { GET: 'health' },
  '/graph': { GET: 'graph' },
};

/** Router sends each request on by its method and path, and answers 404 and 405 itself. */
export default defineChatComponent({
  name: 'Router',
  description: 'Sends each request to the out-port for its method and path; answers unknown paths 404 and wrong methods 405',
  inPorts: {
    in: requestPort('Every request under the base path', true),
  },
  outPorts: {
    poll: requestPort('GET B: polls'),
    post: requestPort('POST B: new messages'),
    health: requestPort('GET B/health'),
    graph: requestPort('GET B/graph'),
    error: replyPort('404 and 405 answers'),
  },
  create({ out, app }) {
    const base = app.settings.basePath;
    // A route whose out-port is not wired does not exist: rewiring graph.json removes it.
    const wired = (methods: Readonly<Record<string, Route>>): [string, Route][] =>
      Object.entries(methods).filter(([, route]) => out.isConnected(route));

    return {
      in(request) {
        const rest = request.path.startsWith(base) ? request.path.slice(base.length) : undefined;
        // A trailing slash names the same resource: "B/" is B, "B/health/" is B/health.
        const key = rest?.endsWith('/') ? rest.slice(0, -1) : rest;
        const methods = key === undefined || !Object.hasOwn(ROUTES, key) ? [] : wired(ROUTES[key] as Record<string, Route>);
        if (methods.length === 0) return out.send('error', errorReply(request, 'NOT_FOUND'));
        const route = methods.find(([method]) => method === request.method)?.[1];
        if (route !== undefined) return out.send(route, request);
        const allow = methods.map(([method]) => method).join(', ');
        return out.send('error', errorReply(request, 'METHOD_NOT_ALLOWED', `${request.path} does not take ${request.method}; use ${allow}`, { allow }));
      },
    };
  },
});
