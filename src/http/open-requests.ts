import { LinkedList, type Linked } from '../linked-list.ts';
import type { HttpRequest } from '../protocol/packets.ts';

/** OpenRequest is a request that can be listed among the open ones. */
export type OpenRequest = HttpRequest & Linked;

/**
 * OpenRequests knows the requests that entered the graph and are not yet
 * answered, so shutdown can answer whatever the graph did not. A linked
 * list, not a Set: every request is added and removed once, and ten thousand
 * may be open at a time.
 */
export class OpenRequests {
  private readonly open = new LinkedList<OpenRequest>();

  add(request: OpenRequest): void {
    this.open.push(request);
  }

  delete(request: OpenRequest): void {
    this.open.remove(request);
  }

  get size(): number {
    return this.open.size;
  }

  /** drain hands back every open request and forgets them. */
  drain(): HttpRequest[] {
    return this.open.drain();
  }
}
