import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arbitraryRequests, sendAll } from '../helpers/arbitrary-requests.ts';
import { call, heldPolls, postJson, startServer, waitFor, type TestServer } from '../helpers/server.ts';

const REQUESTS = 1_200;
const SEED = 20261203;

describe('arbitrary requests', () => {
  let server: TestServer;
  let tokens: string[];
  beforeAll(async () => {
    server = await startServer();
    tokens = await Promise.all(['ann', 'ben'].map(async (nick) => ((await postJson(`${server.base}/session`, { nick })).body as { token: string }).token));
  });
  afterAll(() => server.close());

  it(`answers ${REQUESTS} of them (seed ${SEED}) in the protocol's shape, and still serves, holding nothing`, async () => {
    expect(await sendAll(server.origin, arbitraryRequests(SEED, REQUESTS, server.base, tokens))).toEqual([]);
    expect((await call(`${server.base}/health`)).body.status).toBe('ok');
    await waitFor(async () => (await heldPolls(server.base)) === 0);
    expect(server.app.adapter.open.size).toBe(0);
  }, 120_000);
});
