import { crossCheck } from './poll-scan.ts';
import type { RawConnection, RawResponse, ResponseHandler } from './raw-connection.ts';

export interface PollerHooks {
  /** A lost connection or a refused poll. */
  failed(): void;
  /** Poll again after a refusal. */
  retry(): void;
  /** A 200 answer: its body and when it was read. */
  answered(body: Buffer, at: number): void;
}

/**
 * The answer handler every poller of the load generator shares: a refused
 * poll is a failure and is retried after 100 ms, not at once, so a server in
 * trouble is not flooded; the first answer is cross-checked against
 * JSON.parse, since the byte scanner that reads the rest trusts its layout.
 */
export function pollerHandler(connection: RawConnection, hooks: PollerHooks): ResponseHandler {
  connection.onLost(() => hooks.failed());
  let checked = false;
  return (response: RawResponse, at: number): void => {
    if (response.status !== 200) {
      hooks.failed();
      setTimeout(() => hooks.retry(), 100);
      return;
    }
    if (!checked) {
      crossCheck(response.body);
      checked = true;
    }
    hooks.answered(response.body, at);
  };
}
