import { createApp } from './app/app.ts';
import { redacted, RedisStartError } from './redis/redis-url.ts';
import { GraphError } from './runtime/errors.ts';
import { pagePath, readSettings, SettingsError } from './app/settings.ts';
import { keepTickEntryShape } from './util/tick-entry-shape.ts';

/**
 * Start-up: settings from the environment, the graph from GRAPH, then the
 * server. A refused setting or graph, or a Redis that cannot be reached,
 * exits non-zero with every problem listed; SIGINT and SIGTERM answer held
 * polls and exit 0; SIGHUP reloads the graph file without dropping anything.
 */
async function main(): Promise<void> {
  void keepTickEntryShape();
  const settings = readSettings();
  const app = await createApp(settings);

  const stop = (signal: NodeJS.Signals): void => {
    app.logger.info({ signal }, 'shutting down');
    // Whatever hangs, the process still ends.
    setTimeout(() => process.exit(1), 10_000).unref();
    app.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        app.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // Before the line that says it runs: until a handler is set, SIGINT and
  // SIGTERM kill the process outright, and a script may send one at once.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // nginx's convention: SIGHUP re-reads the configuration, here the graph file.
  process.on('SIGHUP', () => {
    app.logger.info({ signal: 'SIGHUP', graph: settings.graph }, 'reloading the graph');
    app.reload().catch((error: unknown) => app.logger.error({ err: error }, 'the graph could not be reloaded; the running graph stays'));
  });

  const origin = await app.listen();
  const page = pagePath(settings.basePath);
  const storage = settings.redisUrl === undefined ? 'memory' : `Redis at ${redacted(settings.redisUrl)}`;
  console.log(`flowchat is running at ${origin}${page} (chat API: ${origin}${settings.basePath}; storage: ${storage})`);
}

main().catch((error: unknown) => {
  if (error instanceof GraphError || error instanceof SettingsError || error instanceof RedisStartError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
