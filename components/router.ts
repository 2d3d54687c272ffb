import { defineChatComponent } from '../src/app/app-context.ts';
import { errorReply } from '../src/protocol/packets.ts';
import { replyPort, requestPort } from '../src/protocol/ports.ts';

type Route = 'poll' | 'post' | 'health' | 'graph' | 'traces' | 'metrics' | 'session' | 'rooms' | 'users' | 'auth';

/**
 * Paths relative to the base path B, with `:name` segments as parameters;
 * routing is by method and path. A route whose out-port is not wired does
 * not exist, so rewiring graph.json removes it.
 */
const ROUTES: readonly { readonly path: readonly string[]; readonly methods: Readonly<Record<string, Route>> }[] = [
  { path: [], methods: { GET: 'poll', POST: 'post' } },
  { path: ['health'], methods: { GET: 'health' } },
  { path: ['graph'], methods: { GET: 'graph' } },
  { path: ['graph', 'traces'], methods: { GET: 'traces' } },
  { path: ['metrics'], methods: { GET: 'metrics' } },
  { path: ['session'], methods: { GET: 'session', POST: 'session', PATCH: 'session', DELETE: 'session' } },
  { path: ['accounts'], methods: { POST: 'session' } },
  { path: ['auth'], methods: { GET: 'auth' } },
  { path: ['auth', 'oidc'], methods: { GET: 'auth' } },
  { path: ['auth', 'oidc', 'callback'], methods: { GET: 'auth' } },
  { path: ['rooms'], methods: { GET: 'rooms', POST: 'rooms' } },
  { path: ['rooms', ':room', 'invite'], methods: { POST: 'rooms' } },
  { path: ['rooms', ':room', 'leave'], methods: { POST: 'rooms' } },
  { path: ['users'], methods: { GET: 'users' } },
  { path: ['users', ':nick'], methods: { GET: 'users' } },
];

type Methods = readonly (readonly [string, Route])[];
interface Found {
  readonly methods: Methods;
  readonly params: Record<string, string>;
}

/** match finds the route for the path segments after B, with its parameters. */
function match(routes: readonly { path: readonly string[]; methods: Methods }[], segments: readonly string[]): Found | undefined {
  for (const route of routes) {
    if (route.path.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = route.path.every((part, i) => {
      const segment = segments[i] as string;
      if (part.startsWith(':')) {
        params[part.slice(1)] = decodeSegment(segment);
        return segment !== '';
      }
      return part === segment;
    });
    if (fits) return { methods: route.methods, params };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // malformed escapes fail the parameter's own check downstream
  }
}

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
    traces: requestPort('GET B/graph/traces'),
    metrics: requestPort('GET B/metrics'),
    session: requestPort('GET, POST, PATCH and DELETE B/session, and POST B/accounts'),
    rooms: requestPort('GET and POST B/rooms, POST B/rooms/R/invite and B/rooms/R/leave'),
    users: requestPort('GET B/users and B/users/NICK'),
    auth: requestPort('GET B/auth, B/auth/oidc and B/auth/oidc/callback: external sign-in'),
    error: replyPort('404 and 405 answers'),
  },
  leadsTo: { in: ['error'] },
  create({ out, app }) {
    const base = app.settings.basePath;
    let fixed: Map<string, Found>;
    let withParams: Parameters<typeof match>[0];
    // B itself, where every poll and post goes: found by comparing the path, not by cutting and looking it up.
    let atBase: Found | undefined;
    // Only the routes the wiring serves exist: found again when a reload rewires the graph.
    function wire(): void {
      const routes = ROUTES.map(({ path, methods }) => ({
        path,
        methods: Object.entries(methods).filter(([, route]) => out.isConnected(route)),
      })).filter((route) => route.methods.length > 0);
      // Paths without parameters (every poll and post among them) are found by one lookup.
      const hasParams = ({ path }: { path: readonly string[] }): boolean => path.some((part) => part.startsWith(':'));
      withParams = routes.filter(hasParams);
      fixed = new Map<string, Found>(
        routes.filter((route) => !hasParams(route)).map(({ path, methods }) => [path.join('/'), { methods, params: NO_PARAMS }]),
      );
      atBase = routeOf(fixed, withParams, '');
    }
    wire();
    return {
      onRewire: wire,
      in(request) {
        const path = request.path;
        const found = path === base ? atBase : path.startsWith(base) ? routeOf(fixed, withParams, path.slice(base.length)) : undefined;
        if (found === undefined) return out.send('error', errorReply(request, 'NOT_FOUND'));
        const { methods } = found;
        const route = routeFor(methods, request.method);
        if (route !== undefined) {
          request.params = found.params;
          request.route = route;
          return out.send(route, request);
        }
        const allow = methods.map(([method]) => method).join(', ');
        return out.send('error', errorReply(request, 'METHOD_NOT_ALLOWED', `${request.path} does not take ${request.method}; use ${allow}`, { allow }));
      },
    };
  },
});

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

/** routeFor is the route a method takes among a path's, or undefined when the path does not take it. */
function routeFor(methods: Methods, method: string): Route | undefined {
  for (const [taken, route] of methods) if (taken === method) return route;
  return undefined;
}

function routeOf(fixed: ReadonlyMap<string, Found>, withParams: Parameters<typeof match>[0], rest: string): Found | undefined {
  if (rest !== '' && !rest.startsWith('/')) return undefined; // "B-other" is not under B
  // A trailing slash names the same resource: "B/" is B, "B/health/" is B/health.
  const trimmed = rest.endsWith('/') ? rest.slice(1, -1) : rest.slice(1);
  return fixed.get(trimmed) ?? match(withParams, trimmed === '' ? [] : trimmed.split('/'));
}
