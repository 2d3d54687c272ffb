import type { TestProject } from 'vitest/node';
import { startRedis } from './helpers/redis-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The redis-server the project "http over redis" runs every server on (vitest.config.ts). */
    redisUrl: string;
  }
}

/** Starts one redis-server for the whole project; each server in it keeps its keys under a prefix of its own. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedis();
  project.provide('redisUrl', redis.url);
  return () => redis.remove();
}
