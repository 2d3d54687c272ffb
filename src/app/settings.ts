import path from 'node:path';
import type { Tuning } from '../runtime/graph.ts';

/**
 * Settings come from the environment, are checked once at start and frozen.
 * A bad value stops the server with a message naming the variable and the
 * values it takes. Settings that belong to the graph (a room's capacity, the
 * number of rooms, the longest message) are its ports' initial packets, with
 * defaults the ports declare; a few of them may be set from the environment
 * too (TUNING).
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
  /** Proxy addresses whose X-Forwarded-For is believed, as fastify's trustProxy takes them. */
  readonly trustProxy: string | false;
  /** Largest request body in bytes. */
  readonly bodyLimit: number;
  /** Largest request line and headers together, in bytes. */
  readonly headerLimit: number;
  /** Requests that may wait to enter a full graph; beyond them 503 OVERLOADED. */
  readonly maxWaitingRequests: number;
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
  /** The share of requests traced without a sampled traceparent header, 0 to 1. */
  readonly traceSample: number;
  /** Where traced requests are exported as OpenTelemetry spans; undefined exports nothing. */
  readonly otlpEndpoint: string | undefined;
  /** The variables of TUNING that are set: each sets a port of the graph. */
  readonly tuning: readonly Tuning[];
}

/** OidcSettings: the provider, this client's registration with it, and where browsers reach flowchat. */
export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The origin browsers reach the page at (nginx's, say): the provider sends them back to PUBLIC_URL + B + /auth/oidc/callback. */
  readonly publicUrl: string;
}


/**
 * ENVIRONMENT declares every variable the server itself reads: its default
 * and its meaning, here and nowhere else (README.md's table is generated
 * from it: `npm run docs`).
 */
export const ENVIRONMENT = {
  PORT: { default: '9090', meaning: 'TCP port' },
  HOST: { default: '127.0.0.1', meaning: 'address to listen on' },
  GRAPH: { default: 'graph.json', meaning: 'the graph to run' },
  BASE_PATH: { default: '/gochat/chat', meaning: "the chat API's path, PROTOCOL.md's `B`; the page is served at its parent (`/gochat/`)" },
  LOG_LEVEL: { default: 'info', meaning: '`fatal` `error` `warn` `info` `debug` `trace` `silent`' },
  TRUST_PROXY: { default: 'loopback', meaning: 'proxies whose `X-Forwarded-For` is believed: addresses, CIDR ranges, `loopback`, `linklocal`, `uniquelocal`, comma-separated; `none` believes no one' },
  BODY_LIMIT: { default: '16384', meaning: 'largest request body in bytes; beyond it 413 `BODY_TOO_LARGE`' },
  HEADER_LIMIT: { default: '16384', meaning: 'largest request line and headers together, in bytes; beyond them 431 `HEADERS_TOO_LARGE` and the connection is closed' },
  MAX_WAITING_REQUESTS: { default: '1000', meaning: 'requests that may wait to enter the graph while its first connection is full (each pauses its connection meanwhile); beyond them 503 `OVERLOADED`' },
  OIDC_ISSUER: { default: undefined, meaning: "sign-in with an OpenID Connect provider (Google, GitLab, Keycloak, Auth0, …): its issuer URL. `OIDC_ISSUER`, `OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET` and `PUBLIC_URL`: all four or none" },
  OIDC_CLIENT_ID: { default: undefined, meaning: "this client's id at the provider" },
  OIDC_CLIENT_SECRET: { default: undefined, meaning: "this client's secret at the provider" },
  PUBLIC_URL: { default: undefined, meaning: "the origin browsers reach the page at (nginx's); register `PUBLIC_URL` + `B/auth/oidc/callback` as the redirect URI" },
  STORAGE_MAX_BYTES: { default: '268435456', meaning: 'bytes of retained messages, all rooms together (256 MiB); beyond them rooms holding only join and leave lines are forgotten first, then the oldest messages of the least recently active rooms (their readers see `truncated`)' },
  REDIS_URL: { default: undefined, meaning: "the Redis every node shares state in (`redis://[:password@]host:port[/db]`, `rediss://` for TLS); unset keeps everything in this process's memory. See *Several nodes*" },
  REDIS_PREFIX: { default: 'flowchat:', meaning: 'what every key starts with, so that several chats can share one Redis' },
  WEB_ROOT: { default: 'web', meaning: 'the folder served as the page' },
  TRACE_SAMPLE: { default: '0', meaning: 'the share of requests traced without a sampled `traceparent` (0 to 1; `0.01` is one in a hundred); see `GET B/graph/traces`' },
  OTEL_EXPORTER_OTLP_ENDPOINT: { default: undefined, meaning: "an OpenTelemetry collector's OTLP/HTTP address (e.g. `http://127.0.0.1:4318`): the traced requests are sent there as spans too, one per request and one per hop. Unset, nothing of OpenTelemetry is loaded" },
  RECLAIM_AFTER_DROP: { default: '1000', meaning: 'give memory back once this many open requests have ended and the load has stayed at half its peak or less for a second (see *Memory after a wave of clients* in `bench/README.md`); `0` never does' },
} as const satisfies Record<string, { readonly default: string | undefined; readonly meaning: string }>;

type Variable = keyof typeof ENVIRONMENT;

/**
 * TUNING maps the environment variables that tune a component onto its
 * ports: each sets that port of every process of the component, over
 * graph.json's initial packet. Default and meaning are the port's.
 */
export const TUNING = {
  RATE_LIMIT: { component: 'RateLimit', port: 'limit' },
  SESSION_RATE_LIMIT: { component: 'Session', port: 'openingsPerMinute' },
  LOGIN_FAILURES_PER_LOGIN: { component: 'Session', port: 'loginFailuresPerLogin' },
  LOGIN_FAILURES_PER_ADDRESS: { component: 'Session', port: 'loginFailuresPerAddress' },
  MAX_HELD_POLLS: { component: 'Storage', port: 'maxHeldPolls' },
} as const satisfies Record<string, { readonly component: string; readonly port: string }>;

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
  const given = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  const value = (name: Variable): string => given(name) ?? ENVIRONMENT[name].default ?? '';
  const integer = (name: Variable, min: number, max: number): number => {
    const raw = value(name);
    const fallback = Number(ENVIRONMENT[name].default);
    if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: must be an integer from ${min} to ${max} (default ${fallback})`);
      return fallback;
    }
    return Number(raw);
  };

  const basePath = value('BASE_PATH');
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath)) {
    problems.push(`BASE_PATH=${JSON.stringify(basePath)}: must be a path such as /gochat/chat (starts with "/", no trailing "/", no query)`);
  }
  const logLevel = value('LOG_LEVEL');
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)}: must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const trust = value('TRUST_PROXY');
  const trustProxy = trust === 'false' || trust === 'none' ? false : trust;
  if (trustProxy !== false && !/^[0-9A-Za-z.:/,\s]+$/.test(trustProxy)) {
    problems.push(`TRUST_PROXY=${JSON.stringify(trust)}: must be a comma-separated list of addresses or CIDR ranges (or loopback, linklocal, uniquelocal), or "none"`);
  }

  const oidcNames = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'PUBLIC_URL'] as const;
  const oidcGiven = oidcNames.filter((name) => given(name) !== undefined);
  let oidc: OidcSettings | undefined;
  if (oidcGiven.length > 0 && oidcGiven.length < oidcNames.length) {
    problems.push(`${oidcNames.filter((name) => !oidcGiven.includes(name)).join(', ')}: must be set too, for sign-in with OpenID Connect (${oidcGiven.join(', ')} ${oidcGiven.length === 1 ? 'is' : 'are'} set); or unset them all`);
  } else if (oidcGiven.length === oidcNames.length) {
    const url = (name: Variable): string => {
      const raw = value(name);
      try {
        const parsed = new URL(raw);
        if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http');
        return raw.replace(/\/$/, '');
      } catch {
        problems.push(`${name}=${JSON.stringify(raw)}: must be an http(s) URL such as https://accounts.example.com`);
        return raw;
      }
    };
    oidc = { issuer: url('OIDC_ISSUER'), clientId: value('OIDC_CLIENT_ID'), clientSecret: value('OIDC_CLIENT_SECRET'), publicUrl: url('PUBLIC_URL') };
  }

  const redisUrl = given('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]*$/.test(redisUrl)) {
    problems.push(`REDIS_URL=${JSON.stringify(redisUrl)}: must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379/0 (password as redis://:PASSWORD@host:port), or unset for in-memory storage`);
  }
  const redisPrefix = value('REDIS_PREFIX');
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(redisPrefix)) {
    problems.push(`REDIS_PREFIX=${JSON.stringify(redisPrefix)}: must be 1 to 64 characters of A-Z, a-z, 0-9, "_", ".", ":" and "-" (default flowchat:)`);
  }
  const sampleText = value('TRACE_SAMPLE');
  const traceSample = Number(sampleText);
  if (!/^(0|1|0?\.[0-9]+|1\.0*)$/.test(sampleText)) problems.push(`TRACE_SAMPLE=${JSON.stringify(sampleText)}: must be a number from 0 to 1, such as 0.01 (default 0)`);
  const otlpEndpoint = given('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (otlpEndpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(otlpEndpoint)) {
    problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT=${JSON.stringify(otlpEndpoint)}: must be an http(s) URL such as http://127.0.0.1:4318, or unset`);
  }
  const tuning: Tuning[] = [];
  for (const [variable, target] of Object.entries(TUNING)) {
    const raw = given(variable);
    // Read as the port's datatype when the graph is checked: a bad value is refused there, naming the variable.
    if (raw !== undefined) tuning.push({ variable, ...target, raw });
  }

  const settings: Settings = {
    port: integer('PORT', 0, 65535),
    host: value('HOST'),
    graph: path.resolve(value('GRAPH')),
    basePath,
    logLevel,
    trustProxy,
    bodyLimit: integer('BODY_LIMIT', 64, 10_485_760),
    headerLimit: integer('HEADER_LIMIT', 1024, 1_048_576),
    maxWaitingRequests: integer('MAX_WAITING_REQUESTS', 1, 1_000_000),
    storageMaxBytes: integer('STORAGE_MAX_BYTES', 65_536, Number.MAX_SAFE_INTEGER),
    webRoot: path.resolve(value('WEB_ROOT')),
    reclaimAfterDrop: integer('RECLAIM_AFTER_DROP', 0, 1_000_000),
    oidc,
    redisUrl,
    redisPrefix,
    traceSample: Number.isFinite(traceSample) ? traceSample : 0,
    otlpEndpoint,
    tuning: Object.freeze(tuning),
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
