/**
 * `npm run nginx`: runs nginx in the foreground in front of flowchat, with
 * nginx.conf rendered for NGINX_PORT (default 8080) and its upstream's
 * nodes: BACKENDS (host:port, comma-separated, e.g.
 * 127.0.0.1:9090,127.0.0.1:9091), or else the one node on 127.0.0.1:PORT
 * (default 9090). Ctrl-C or SIGTERM stops nginx and removes its temporary
 * folder.
 */
import { startNginx } from './nginx-process.ts';

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65_535) {
    console.error(`${name}=${raw} is not a port; use a whole number from 1 to 65535, or unset it for ${fallback}.`);
    process.exit(2);
  }
  return port;
}

/** backendsFromEnv reads BACKENDS, or falls back to one node on PORT. */
function backendsFromEnv(): string[] {
  const raw = process.env.BACKENDS;
  if (raw === undefined || raw.trim() === '') return [`127.0.0.1:${portFromEnv('PORT', 9090)}`];
  const backends = raw.split(',').map((backend) => backend.trim());
  const bad = backends.filter((backend) => !/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/.test(backend));
  if (bad.length > 0) {
    console.error(`BACKENDS=${raw}: ${bad.map((b) => JSON.stringify(b)).join(', ')} is not host:port; list the nodes as 127.0.0.1:9090,127.0.0.1:9091, or unset BACKENDS for the one on PORT.`);
    process.exit(2);
  }
  return backends;
}

const backends = backendsFromEnv();
const nginx = await startNginx({ port: portFromEnv('NGINX_PORT', 8080), backends, output: 'inherit' }).catch(
  (error: unknown) => {
    // nginx's own messages were shown above; the stack would add nothing.
    console.error(error instanceof Error ? error.message.trim() : error);
    process.exit(1);
  },
);
console.log(`nginx serving ${nginx.url}/gochat/ (${backends.length === 1 ? 'backend' : 'backends'} ${backends.join(', ')}, prefix ${nginx.prefix})`);

let signalled = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    signalled = true;
    void nginx.stop().then(() => process.exit(0));
  });
}

const code = await nginx.exited;
if (!signalled) {
  await nginx.stop();
  console.error(`nginx exited by itself (code ${code ?? 'signal'}); see the messages above.`);
  process.exit(code === 0 || code === null ? 1 : code);
}
