/**
 * `npm run nginx`: runs nginx in the foreground in front of the backend,
 * with nginx.conf rendered for NGINX_PORT (default 8080) and PORT (the
 * backend's, default 9090). Ctrl-C or SIGTERM stops nginx and removes its
 * temporary folder.
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

const upstreamPort = portFromEnv('PORT', 9090);
const nginx = await startNginx({ port: portFromEnv('NGINX_PORT', 8080), upstreamPort, output: 'inherit' }).catch(
  (error: unknown) => {
    // nginx's own messages were shown above; the stack would add nothing.
    console.error(error instanceof Error ? error.message.trim() : error);
    process.exit(1);
  },
);
console.log(`nginx serving ${nginx.url}/gochat/ (backend 127.0.0.1:${upstreamPort}, prefix ${nginx.prefix})`);

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
