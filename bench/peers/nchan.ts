import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NGINX_BINARY as NGINX, waitForPidFile } from '../../scripts/nginx-process.ts';
import { freePort } from '../../test/helpers/ports.ts';
import { childrenOf, readOpenFilesLimit } from '../proc.ts';
import { exited, ROOT, SERVER_CPU, spawnPinned, stopOnce, type RunningServer } from '../spawn.ts';

/**
 * nginx with Debian's nchan module (libnginx-mod-nchan), started from
 * bench/peers/nchan.conf in a folder of its own, pinned like every server
 * of the bench. Its worker is the server the figures are read from: the
 * master only starts it.
 */

export const NCHAN_MODULE = '/usr/lib/nginx/modules/ngx_nchan_module.so';

/** nchanMissing says why nginx + nchan cannot run here, or undefined when it can. */
export function nchanMissing(): string | undefined {
  if (!existsSync(NGINX)) return `${NGINX} is not installed (apt-get install nginx-light)`;
  if (!existsSync(NCHAN_MODULE)) return `${NCHAN_MODULE} is not installed (apt-get install libnginx-mod-nchan)`;
  return undefined;
}

// Within the open-files limit the bench raises servers to (a container may cap it at 20,000).
const WORKER_CONNECTIONS = 19_000;

export async function startNchan(): Promise<RunningServer> {
  const missing = nchanMissing();
  if (missing !== undefined) throw new Error(`nginx + nchan cannot start: ${missing}`);
  const port = await freePort();
  const prefix = await mkdtemp(path.join(tmpdir(), 'flowchat-bench-nchan-'));
  // Started as root, nginx runs its worker as "nobody", which must reach the folder; logs/ is where it looks before reading the file.
  await chmod(prefix, 0o755);
  await mkdir(path.join(prefix, 'logs'));
  const template = await readFile(path.join(ROOT, 'bench', 'peers', 'nchan.conf'), 'utf8');
  const values: Record<string, string> = { module: NCHAN_MODULE, connections: String(WORKER_CONNECTIONS), listen: `127.0.0.1:${port}` };
  await writeFile(path.join(prefix, 'nginx.conf'), template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`));
  const child = spawnPinned(SERVER_CPU, [NGINX, '-p', `${prefix}/`, '-c', path.join(prefix, 'nginx.conf')], process.env);
  const master = child.pid;
  if (master === undefined) throw new Error('nginx could not be started');
  const remove = (): Promise<void> => rm(prefix, { recursive: true, force: true });
  const worker = await Promise.race([workerOf(master, path.join(prefix, 'nginx.pid')), exited(child).then((code) => ({ code }))]);
  if (typeof worker !== 'number') {
    await remove();
    throw new Error(`nginx + nchan exited with code ${worker.code} before it was ready; its error is above`);
  }
  return {
    target: { name: 'nchan', host: '127.0.0.1', port, pid: worker, helperPids: [master], basePath: '' },
    openFiles: readOpenFilesLimit(worker),
    stop: stopOnce(child, master, remove),
  };
}

/** workerOf waits until the master has bound its port (its pid file is written then) and started its one worker; resolves with the worker's pid. */
async function workerOf(master: number, pidFile: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  await waitForPidFile(pidFile, master, 10_000);
  for (;;) {
    const [worker] = childrenOf(master);
    if (worker !== undefined) return worker;
    if (Date.now() > deadline) throw new Error('nginx + nchan did not start its worker within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
