import path from 'node:path';

/**
 * Settings come from the environment, are checked once at start and frozen.
 * A bad value stops the server with a message naming the variable and the
 * values it takes. Settings that belong to the graph (a room's capacity, the
 * number of rooms, the longest message) are initial packets in graph.json.
 */
export interface Settings {
  /** TCP port to listen on. */
  readonly port: number;
  readonly host: string;
  /** Path of the graph file. */
  readonly graph: string;
  /** Where the chat API lives, PROTOCOL.md's `B`. */
  readonly basePath: string;
  readonly logLevel: string;
  /** Posts per client per 10 seconds; 0 switches the limit off. */
  readonly rateLimit: number;
  /** Sessions and accounts opened (log-ins and refused attempts included) per client address per minute; 0 switches the limit off. */
  readonly sessionRateLimit: number;
  /** Failed log-ins for one login within 15 minutes, after which its log-ins are refused until they are 15 minutes old. */
  readonly loginFailuresPerLogin: number;
  /** Failed log-ins from one client address within 15 minutes, likewise. */
  readonly loginFailuresPerAddress: number;
  readonly maxHeldPolls: number;
  /** Proxy addresses whose X-Forwarded-For is believed, as fastify's trustProxy takes them. */
  readonly trustProxy: string | false;
  /** Largest request body in bytes. */
  readonly bodyLimit: number;
  /** Bytes of retained messages, all rooms together (in memory: their JSON). */
  readonly storageMaxBytes: number;
  /** Folder served as the page at the parent of basePath. */
  readonly webRoot: string;
  /** Open requests that must have ended (and stayed ended for a second) before memory is reclaimed; 0 never reclaims. */
  readonly reclaimAfterDrop: number;
  /** Sign-in with an OpenID Connect provider, when configured. */
  readonly oidc: OidcSettings | undefined;
  /** The Redis that every node shares state in; undefined keeps it all in this process's memory. */
  readonly redisUrl: string | undefined;
  /** What every Redis key of this chat starts with, so that several chats can share one Redis. */
  readonly redisPrefix: string;
}

/** OidcSettings: the provider, this client's registration with it, and where browsers reach flowchat. */
export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The origin browsers reach the page at (nginx's, say): the provider sends them back to PUBLIC_URL + B + /auth/oidc/callback. */
  readonly publicUrl: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** SettingsError names every bad variable at once. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Settings refused:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** readSettings reads and checks the settings from an environment. */
export function readSettings(env: Env = process.env): Settings {
  const problems: string[] = [];
  const value = (name: string, fallback: string): string => {
    const v = env[name];
    return v === undefined || v === '' ? fallback : v;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = value(name, String(fallback));
    if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: must be an integer from ${min} to ${max} (default ${fallback})`);
      return fallback;
    }
    return Number(raw);
  };

  const basePath = value('BASE_PATH', '/gochat/chat');
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath)) {
    problems.push(`BASE_PATH=${JSON.stringify(basePath)}: must be a path such as /gochat/chat (starts with "/", no trailing "/", no query)`);
  }
  const logLevel = value('LOG_LEVEL', 'info');
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)}: must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const trust = value('TRUST_PROXY', 'loopback');
  const trustProxy = trust === 'false' || trust === 'none' ? false : trust;
  if (trustProxy !== false && !/^[0-9A-Za-z.:/,\s]+$/.test(trustProxy)) {
    problems.push(`TRUST_PROXY=${JSON.stringify(trust)}: must be a comma-separated list of addresses or CIDR ranges (or loopback, linklocal, uniquelocal), or "none"`);
  }

  const oidcNames = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'PUBLIC_URL'] as const;
  const given = oidcNames.filter((name) => value(name, '') !== '');
  let oidc: OidcSettings | undefined;
  if (given.length > 0 && given.length < oidcNames.length) {
    problems.push(`${oidcNames.filter((name) => !given.includes(name)).join(', ')}: must be set too, for sign-in with OpenID Connect (${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set); or unset them all`);
  } else if (given.length === oidcNames.length) {
    const url = (name: string): string => {
      const raw = value(name, '');
      try {
        const parsed = new URL(raw);
        if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http');
        return raw.replace(/\/$/, '');
      } catch {
        problems.push(`${name}=${JSON.stringify(raw)}: must be an http(s) URL such as https://accounts.example.com`);
        return raw;
      }
    };
    oidc = { issuer: url('OIDC_ISSUER'), clientId: value('OIDC_CLIENT_ID', ''), clientSecret: value('OIDC_CLIENT_SECRET', ''), publicUrl: url('PUBLIC_URL') };
  }

  const redisUrl = value('REDIS_URL', '') || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]*$/.test(redisUrl)) {
    problems.push(`REDIS_URL=${JSON.stringify(redisUrl)}: must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379/0 (password as redis://:PASSWORD@host:port), or unset for in-memory storage`);
  }
  const redisPrefix = value('REDIS_PREFIX', 'flowchat:');
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(redisPrefix)) {
    problems.push(`REDIS_PREFIX=${JSON.stringify(redisPrefix)}: must be 1 to 64 characters of A-Z, a-z, 0-9, "_", ".", ":" and "-" (default flowchat:)`);
  }

  const settings: Settings = {
    port: integer('PORT', 9090, 0, 65535),
    host: value('HOST', '127.0.0.1'),
    graph: path.resolve(value('GRAPH', 'graph.json')),
    basePath,
    logLevel,
    rateLimit: integer('RATE_LIMIT', 20, 0, 1_000_000),
    sessionRateLimit: integer('SESSION_RATE_LIMIT', 10, 0, 1_000_000),
    loginFailuresPerLogin: integer('LOGIN_FAILURES_PER_LOGIN', 10, 1, 1_000_000),
    loginFailuresPerAddress: integer('LOGIN_FAILURES_PER_ADDRESS', 30, 1, 1_000_000),
    maxHeldPolls: integer('MAX_HELD_POLLS', 10_000, 1, 1_000_000),
    trustProxy,
    bodyLimit: integer('BODY_LIMIT', 16_384, 64, 10_485_760), // bytes: 16 KiB, as PROTOCOL.md says
    storageMaxBytes: integer('STORAGE_MAX_BYTES', 268_435_456, 65_536, Number.MAX_SAFE_INTEGER), // bytes: 256 MiB, as PROTOCOL.md says
    webRoot: path.resolve(value('WEB_ROOT', 'web')),
    reclaimAfterDrop: integer('RECLAIM_AFTER_DROP', 1000, 0, 1_000_000),
    oidc,
    redisUrl,
    redisPrefix,
  };
  if (problems.length > 0) throw new SettingsError(problems);
  return Object.freeze(settings);
}

/** pagePath is where the page is served: the parent of the chat API's path (/gochat/ for /gochat/chat). */
export function pagePath(basePath: string): string {
  return basePath.slice(0, basePath.lastIndexOf('/') + 1);
}

/** RATE_WINDOW_MS is the window RATE_LIMIT counts posts in (PROTOCOL.md: per 10 s). */
export const RATE_WINDOW_MS = 10_000;

/** SESSION_RATE_WINDOW_MS is the window SESSION_RATE_LIMIT counts in (PROTOCOL.md: per minute). */
export const SESSION_RATE_WINDOW_MS = 60_000;

/** LOGIN_FAILURE_WINDOW_MS is how long a failed log-in counts (PROTOCOL.md: 15 minutes). */
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60_000;
