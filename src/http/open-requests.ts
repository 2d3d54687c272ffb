import type { HttpRequest } from '../protocol/packets.ts';

/**
 * OpenRequests knows the requests that entered the graph and are not yet
 * answered, so shutdown can answer whatever the graph did not.
 */
export class OpenRequests {
  private readonly open = new Set<HttpRequest>();

  add(request: HttpRequest): void {
    this.open.add(request);
  }

  delete(request: HttpRequest): void {
    this.open.delete(request);
  }

  get size(): number {
    return this.open.size;
  }

  /** drain hands back every open request and forgets them. */
  drain(): HttpRequest[] {
    const all = [...this.open];
    this.open.clear();
    return all;
  }
}
