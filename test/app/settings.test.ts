import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSettings, SettingsError } from '../../src/app/settings.ts';

describe('settings', () => {
  it('has the documented defaults', () => {
    expect(readSettings({})).toEqual({
      port: 9090,
      host: '127.0.0.1',
      graph: path.resolve('graph.json'),
      basePath: '/gochat/chat',
      logLevel: 'info',
      trustProxy: 'loopback',
      bodyLimit: 16_384,
      headerLimit: 16_384,
      maxWaitingRequests: 1000,
      storageMaxBytes: 268_435_456,
      webRoot: path.resolve('web'),
      reclaimAfterDrop: 1000,
      oidc: undefined,
      redisUrl: undefined,
      redisPrefix: 'flowchat:',
      traceSample: 0,
      otlpEndpoint: undefined,
      tuning: [],
    });
  });

  it('reads each variable', () => {
    const s = readSettings({
      PORT: '8000', HOST: '0.0.0.0', BASE_PATH: '/chat', TRUST_PROXY: '10.0.0.0/8, 127.0.0.1', BODY_LIMIT: '1024', HEADER_LIMIT: '4096', RECLAIM_AFTER_DROP: '0',
      MAX_WAITING_REQUESTS: '5', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    });
    expect(s).toMatchObject({
      port: 8000, host: '0.0.0.0', basePath: '/chat', trustProxy: '10.0.0.0/8, 127.0.0.1', bodyLimit: 1024, headerLimit: 4096, reclaimAfterDrop: 0,
      maxWaitingRequests: 5, otlpEndpoint: 'http://127.0.0.1:4318',
    });
    expect(readSettings({ TRUST_PROXY: 'none' }).trustProxy).toBe(false);
    expect(readSettings({ TRACE_SAMPLE: '0.25' }).traceSample).toBe(0.25);
    expect(readSettings({ TRACE_SAMPLE: '1' }).traceSample).toBe(1);
    expect(() => readSettings({ TRACE_SAMPLE: '2' })).toThrow('TRACE_SAMPLE="2": must be a number from 0 to 1');
    expect(() => readSettings({ TRACE_SAMPLE: 'half' })).toThrow('TRACE_SAMPLE="half": must be a number from 0 to 1');
  });

  it('passes the variables of TUNING on to the graph, as they are written, for the ports they set', () => {
    const s = readSettings({ RATE_LIMIT: '0', SESSION_RATE_LIMIT: '3', LOGIN_FAILURES_PER_LOGIN: '', MAX_HELD_POLLS: 'many' });
    expect(s.tuning).toEqual([
      { variable: 'RATE_LIMIT', component: 'RateLimit', port: 'limit', raw: '0' },
      { variable: 'SESSION_RATE_LIMIT', component: 'Session', port: 'openingsPerMinute', raw: '3' },
      { variable: 'MAX_HELD_POLLS', component: 'Storage', port: 'maxHeldPolls', raw: 'many' },
    ]);
  });

  it('reads sign-in with OpenID Connect from its four variables, all or none', () => {
    const oidc = { OIDC_ISSUER: 'https://id.example.com/', OIDC_CLIENT_ID: 'chat', OIDC_CLIENT_SECRET: 's3cret', PUBLIC_URL: 'https://chat.example.com' };
    expect(readSettings(oidc).oidc).toEqual({ issuer: 'https://id.example.com', clientId: 'chat', clientSecret: 's3cret', publicUrl: 'https://chat.example.com' });
    expect(() => readSettings({ OIDC_ISSUER: 'https://id.example.com' })).toThrow('OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, PUBLIC_URL: must be set too, for sign-in with OpenID Connect (OIDC_ISSUER is set); or unset them all');
    expect(() => readSettings({ ...oidc, OIDC_ISSUER: 'id.example.com' })).toThrow('OIDC_ISSUER="id.example.com": must be an http(s) URL');
  });

  it('reads Redis from REDIS_URL and REDIS_PREFIX, and refuses what is not a Redis URL or a key prefix', () => {
    expect(readSettings({ REDIS_URL: 'redis://:pw@10.0.0.5:6380/2', REDIS_PREFIX: 'chat2:' })).toMatchObject({ redisUrl: 'redis://:pw@10.0.0.5:6380/2', redisPrefix: 'chat2:' });
    expect(readSettings({ REDIS_URL: '' }).redisUrl).toBeUndefined();
    expect(() => readSettings({ REDIS_URL: 'localhost:6379' })).toThrow('REDIS_URL="localhost:6379": must be a redis:// or rediss:// URL');
    expect(() => readSettings({ REDIS_PREFIX: 'a b' })).toThrow('REDIS_PREFIX="a b": must be 1 to 64 characters');
  });

  it('is frozen', () => {
    expect(Object.isFrozen(readSettings({}))).toBe(true);
  });

  it('names every bad variable at once, with the values it takes', () => {
    let error: unknown;
    try {
      readSettings({ PORT: '99999', BODY_LIMIT: 'many', TRUST_PROXY: 'x;y' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).problems).toEqual([
      'TRUST_PROXY="x;y": must be a comma-separated list of addresses or CIDR ranges (or loopback, linklocal, uniquelocal), or "none"',
      'PORT="99999": must be an integer from 0 to 65535 (default 9090)',
      'BODY_LIMIT="many": must be an integer from 64 to 10485760 (default 16384)',
    ]);
  });
});
