import { LinkedList, type Linked } from '../util/linked-list.ts';
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
  private highWater = 0;
  /** Answers written, by route, then by status (an array indexed by status: one lookup per answer). */
  private readonly answers = new Map<string, number[]>();

  /** answered counts an answer, for flowchat_http_requests_total. */
  answered(route: string, status: number): void {
    let byStatus = this.answers.get(route);
    if (byStatus === undefined) this.answers.set(route, (byStatus = new Array<number>(600).fill(0)));
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }

  /** answerCounts gives how many answers each route gave with each status. */
  *answerCounts(): Iterable<{ route: string; status: string; count: number }> {
    for (const [route, byStatus] of this.answers) {
      for (let status = 0; status < byStatus.length; status++) {
        const count = byStatus[status] as number;
        if (count > 0) yield { route, status: String(status), count };
      }
    }
  }

  add(request: OpenRequest): void {
    this.open.push(request);
    if (this.open.size > this.highWater) this.highWater = this.open.size;
  }

  delete(request: OpenRequest): void {
    this.open.remove(request);
  }

  get size(): number {
    return this.open.size;
  }

  /**
   * takeHighWater tells the most requests open at once since it was last
   * called. A look at `size` alone is fooled by fan-out: releasing 10,000
   * held polls answers them all in one turn of the event loop, and a timer
   * due meanwhile runs right after it, seeing none open every time, while
   * their next polls arrive a moment later.
   */
  takeHighWater(): number {
    const most = this.highWater;
    this.highWater = this.open.size;
    return most;
  }

  /** drain hands back every open request and forgets them. */
  drain(): HttpRequest[] {
    return this.open.drain();
  }
}
