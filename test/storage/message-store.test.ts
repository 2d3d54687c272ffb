import { expect, it } from 'vitest';
import type { StoreEvent } from '../../src/storage/store.ts';
import { describeBackends } from '../helpers/backends.ts';
import { storeContract } from './store-contract.ts';

describeBackends('MessageStore contract', (backend) => {
  storeContract(async (limits) => {
    const { messages } = await backend.stores();
    if (limits !== undefined) messages.configure(limits);
    return messages;
  });

  it('deletes a room that holds nothing (a private room nobody posted in), telling its listeners all the same', async () => {
    const { messages: store } = await backend.stores();
    const events: StoreEvent[] = [];
    const stop = store.subscribe((event) => events.push(event));
    await store.append({ room: 'lobby', type: 'message', author: 'alice', text: 'hi' });
    await store.delete('never-used');
    await expect.poll(() => events.map((e) => (e.kind === 'deleted' ? [e.kind, e.room] : [e.kind]))).toEqual([['appended'], ['deleted', 'never-used']]);
    expect(await store.roomCount()).toBe(1);
    expect((await store.read('lobby', 0, 10)).entries.map((e) => e.message.text)).toEqual(['hi']);
    stop();
  });

  it('tells its listeners of every append and delete, with the entry appended', async () => {
    const { messages: store } = await backend.stores();
    const events: StoreEvent[] = [];
    const stop = store.subscribe((event) => events.push(event));
    await store.append({ room: 'lobby', type: 'message', author: 'alice', text: 'hi' });
    await store.append({ room: 'side', type: 'join', author: 'bob', text: 'bob joined' });
    await store.delete('side');
    await expect.poll(() => events.length).toBe(3);
    expect(events.map((e) => (e.kind === 'appended' ? [e.kind, e.entry.message.room, e.entry.message.id, e.entry.message.text] : [e.kind]))).toEqual([
      ['appended', 'lobby', 1, 'hi'],
      ['appended', 'side', 1, 'bob joined'],
      ['deleted'],
    ]);
    stop();
    await store.append({ room: 'lobby', type: 'message', author: 'alice', text: 'unheard' });
    await store.read('lobby', 0, 10);
    expect(events).toHaveLength(3);
  });

  it('writes the same JSON for an entry whichever back-end stores it', async () => {
    const { messages: store } = await backend.stores(() => 1_700_000_000_000);
    const result = await store.append({ room: 'lobby', type: 'message', author: 'alice', text: 'hé "q" \n <b>', nonce: 'n1' });
    if (result.kind !== 'appended') throw new Error(result.kind);
    const expected = '{"id":1,"room":"lobby","type":"message","author":"alice","text":"hé \\"q\\" \\n <b>","time":1700000000000,"nonce":"n1"}';
    expect(result.entry.json).toBe(expected);
    expect(result.entry.bytes).toBe(Buffer.byteLength(expected));
    expect((await store.read('lobby', 0, 1)).entries.map((e) => e.json)).toEqual([expected]);
    expect(((await store.append({ room: 'lobby', type: 'message', author: 'alice', text: 'again', nonce: 'n1' })) as { entry: { json: string } }).entry.json).toBe(expected);
  });
});
