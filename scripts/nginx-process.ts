/**
 * nginx-process starts nginx in the foreground with the project's
 * nginx.conf, rendered into a temporary prefix folder that holds its pid,
 * logs and temp files, so nothing outside that folder is written (/etc and
 * /var stay untouched). Used by `npm run nginx` and the e2e tests.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

// The `pid` directive's value in nginx.conf, relative to the prefix.
const PID_FILE = 'logs/nginx.pid';

/** NGINX_BINARY is where Debian's nginx-light puts nginx. */
export const NGINX_BINARY = '/usr/sbin/nginx';

/** NginxOptions: where nginx listens, what it proxies to and what it serves. */
export interface NginxOptions {
  /** Listen port on 127.0.0.1; default 8080. */
  port?: number;
  /** The flowchat nodes, as host:port; default one, 127.0.0.1:9090. Several must share one REDIS_URL. */
  backends?: readonly string[];
  /** Worker processes; default 1. Each holds its share of the connections, so two need half the open files each. */
  workers?: number;
  /** Folder served at /gochat/; default the repository's web/. */
  webRoot?: string;
  /** Template; default the repository's nginx.conf. */
  confPath?: string;
  binary?: string;
  /** 'inherit' shows nginx's own output; 'pipe' keeps it for error reports. */
  output?: 'inherit' | 'pipe';
  /** How long to wait for nginx to be listening; default 10 s. */
  startTimeoutMs?: number;
}

/** RunningNginx is a started nginx; stop() ends it and removes its prefix. */
export interface RunningNginx {
  /** Origin such as http://127.0.0.1:8080 (the page is at `${url}/gochat/`). */
  url: string;
  prefix: string;
  pid: number;
  /** Settles with the exit code (null when ended by a signal). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** RenderValues are the values of the lines tagged `# flowchat:<name>`; a list repeats its line once per value. */
export interface RenderValues {
  workers: string;
  listen: string;
  backend: string | readonly string[];
  webroot: string;
}

/**
 * renderConfig rewrites the value of each tagged directive in the template
 * (`listen 127.0.0.1:8080;  # flowchat:listen`). A tag missing or present
 * twice is an error, so a hand-edited nginx.conf cannot silently keep a
 * default.
 */
export function renderConfig(template: string, values: RenderValues): string {
  let text = template;
  for (const [tag, value] of Object.entries(values)) {
    const line = new RegExp(`^([ \\t]*\\w+[ \\t]+)[^;\\n]+(;[ \\t]*#[ \\t]*flowchat:${tag}[ \\t]*)$`, 'gm');
    const found = text.match(line)?.length ?? 0;
    if (found !== 1) {
      throw new Error(`nginx.conf: expected one line tagged "# flowchat:${tag}", found ${found}; restore the tag on the ${tag} directive.`);
    }
    const values = typeof value === 'string' ? [value] : value;
    text = text.replace(line, (_match, head: string, tail: string) => values.map((v: string) => `${head}${v}${tail}`).join('\n'));
  }
  return text;
}

/**
 * quotePath makes a folder usable as an nginx alias: quoted for spaces,
 * ending in "/" as the /gochat/ location requires, and refused when it holds
 * characters nginx would read as a variable or an escape.
 */
export function quotePath(folder: string): string {
  if (/["\\$]/.test(folder)) {
    throw new Error(`web root ${folder}: nginx cannot serve a path containing ", \\ or $; move the checkout.`);
  }
  return `"${folder.endsWith('/') ? folder : `${folder}/`}"`;
}

/** startNginx renders the config, starts nginx and resolves once it accepts connections. */
export async function startNginx(options: NginxOptions = {}): Promise<RunningNginx> {
  const port = options.port ?? 8080;
  const binary = options.binary ?? NGINX_BINARY;
  const template = await readFile(options.confPath ?? join(REPO, 'nginx.conf'), 'utf8');
  const config = renderConfig(template, {
    workers: String(options.workers ?? 1),
    listen: `127.0.0.1:${port}`,
    backend: options.backends ?? ['127.0.0.1:9090'],
    webroot: quotePath(options.webRoot ?? join(REPO, 'web')),
  });

  const prefix = await mkdtemp(join(tmpdir(), 'flowchat-nginx-'));
  // mkdtemp makes it 0700; nginx's workers may run as another user and
  // must reach the temp folders inside.
  await chmod(prefix, 0o755);
  await mkdir(join(prefix, 'logs'));
  await mkdir(join(prefix, 'temp'));
  const confFile = join(prefix, 'nginx.conf');
  await writeFile(confFile, config);

  // Started as root, nginx runs its workers as "nobody" (its default): they
  // only read web/ and write inside the prefix, which nginx makes theirs.
  const child = spawn(binary, ['-p', `${prefix}/`, '-c', confFile, '-g', 'daemon off;'], {
    stdio: ['ignore', options.output ?? 'pipe', options.output ?? 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches only us, and we
    // stop nginx in order (and know it was us who stopped it).
    detached: true,
  });
  // Should this process end without stop(), nginx must not outlive it.
  const orphanGuard = () => child.kill('SIGTERM');
  process.once('exit', orphanGuard);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (error) => {
      output += `${error.message}\n`;
      resolve(127);
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        // SIGTERM is nginx's fast shutdown: held long polls are cut at once
        // instead of being waited for (SIGQUIT would wait up to a minute).
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', orphanGuard);
      await rm(prefix, { recursive: true, force: true });
    })();
    return stopping;
  };

  const ready = await Promise.race([
    waitForPidFile(join(prefix, PID_FILE), child.pid, options.startTimeoutMs ?? 10_000).then(() => true),
    exited.then(() => false),
  ]);
  if (!ready || child.pid === undefined) {
    const log = await readFile(join(prefix, 'logs', 'error.log'), 'utf8').catch(() => '');
    await stop();
    throw new Error(`nginx did not start on 127.0.0.1:${port} (${binary}):\n${output}${log}`);
  }
  return { url: `http://127.0.0.1:${port}`, prefix, pid: child.pid, exited, stop };
}

/**
 * waitForPidFile resolves once nginx wrote `pid` to its pid file, which it
 * does only after binding every listen address: an open port alone could
 * belong to another program, and a failed bind is retried for seconds.
 */
export async function waitForPidFile(path: string, pid: number | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await readFile(path, 'utf8').catch(() => '')).trim() !== String(pid)) {
    if (Date.now() > deadline) throw new Error(`nginx wrote no pid file ${path} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
