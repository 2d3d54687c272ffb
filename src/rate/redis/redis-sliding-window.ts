import type { Redis } from 'ioredis';
import { Script } from '../../redis/scripts.ts';
import type { RateWindow } from '../rate-window.ts';

/** RedisSlidingWindow is the sliding window of src/rate/sliding-window.ts kept in Redis: one count for every node. */
export class RedisSlidingWindow implements RateWindow {
  private readonly script: Script;

  constructor(
    client: Redis,
    private readonly prefix: string,
    /** Names the window in its keys: windows of different limits never share a count. */
    private readonly name: string,
    public limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {
    this.script = new Script(client, new URL('./', import.meta.url), 'sliding-window');
  }

  take(key: string): Promise<number> {
    return this.call(key, 'take');
  }

  wait(key: string): Promise<number> {
    return this.call(key, 'wait');
  }

  async record(key: string): Promise<void> {
    await this.call(key, 'record');
  }

  clear(): void {
    // Redis keeps the counts for the other nodes; each expires by itself.
  }

  private async call(key: string, mode: 'take' | 'wait' | 'record'): Promise<number> {
    return Number(await this.script.run(this.prefix, this.name, key, this.limit, this.windowMs, this.now(), mode));
  }
}
