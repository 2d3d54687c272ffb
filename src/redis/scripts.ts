import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { storeCall } from './connection.ts';

export type ScriptReply = string[];

/**
 * Script is one Lua script of a Redis store, read once from its folder with
 * the folder's common.lua (if any) in front. Redis runs it atomically:
 * what it reads and writes, no other node's call can come between.
 */
export class Script {
  private readonly command: string;

  constructor(
    private readonly client: Redis,
    folder: URL,
    name: string,
  ) {
    const read = (file: string): string => readFileSync(new URL(file, folder), 'utf8');
    let common = '';
    try {
      common = read('common.lua');
    } catch {
      // A folder with one script needs no shared helpers.
    }
    this.command = `flowchat_${name.replace(/-/g, '_')}`;
    // EVALSHA, falling back to EVAL once when Redis has not seen the script (after its restart, say).
    client.defineCommand(this.command, { numberOfKeys: 0, lua: `${common}\n${read(`${name}.lua`)}` });
  }

  /** run calls the script; a Redis that cannot be reached fails it with 503 STORE_UNAVAILABLE. */
  run(...args: (string | number)[]): Promise<ScriptReply> {
    const call = (this.client as unknown as Record<string, (...a: (string | number)[]) => Promise<ScriptReply>>)[this.command];
    if (call === undefined) throw new Error(`the script ${this.command} is not defined`);
    return storeCall(call.apply(this.client, args));
  }
}
