import { crossCheck } from './poll-scan.ts';
import type { RawConnection, RawResponse, ResponseHandler } from './raw-connection.ts';

export interface PollerHooks {
  /** A lost connection or a refused poll. */
  failed(): void;
  /** Poll again after a refusal. */
  retry(): void;
  /** A 200 answer and when it was read. */
  answered(response: RawResponse, at: number): void;
}

/** POLL_RETRY_MS is how long a poller waits before asking again after a refused poll, so a server in trouble is not flooded. */
export const POLL_RETRY_MS = 100;

/**
 * pollerHandler is the answer handler every poller of the load generator
 * shares, whatever the server: a refused poll is a failure and is asked
 * again after POLL_RETRY_MS; the first answer is cross-checked against
 * `parse`, a real parser of the server's framing, since the byte scanner
 * that reads the rest trusts its layout.
 */
export function pollerHandler(connection: RawConnection, parse: (body: Buffer) => readonly string[], hooks: PollerHooks): ResponseHandler {
  connection.onLost(() => hooks.failed());
  let checked = false;
  return (response: RawResponse, at: number): void => {
    if (response.status !== 200) {
      hooks.failed();
      setTimeout(() => hooks.retry(), POLL_RETRY_MS);
      return;
    }
    if (!checked) {
      crossCheck(response.body, parse);
      checked = true;
    }
    hooks.answered(response, at);
  };
}
