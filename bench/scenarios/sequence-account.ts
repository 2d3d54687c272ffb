/**
 * SequenceAccount keeps the throughput scenario's account of what each
 * poller got. Each publisher numbers its accepted posts 0, 1, 2 … and each
 * poller should get every publisher's posts in that order, once. Per poller
 * and publisher it keeps the next number wanted: a bigger one is a gap
 * (missed, until the skipped one comes: then out of order), a smaller one
 * not skipped a duplicate. Nothing of the server but the texts is needed,
 * so servers with ids and without are held to the same account.
 */
export class SequenceAccount {
  /** Messages got for the first time, in order or late. */
  delivered = 0;
  /** Skipped so far and not come since; `close` adds what never came at all. */
  missed = 0;
  duplicates = 0;
  outOfOrder = 0;
  private readonly wanted: Float64Array; // per poller and publisher: the next number
  private readonly gaps = new Map<number, Set<number>>(); // slot → numbers skipped, until they come
  private readonly reached: Float64Array; // per poller: messages got or skipped

  constructor(
    private readonly pollers: number,
    private readonly publishers: number,
  ) {
    this.wanted = new Float64Array(pollers * publishers);
    this.reached = new Float64Array(pollers);
  }

  /** got notes that `poller` got `publisher`'s message `seq`; true when it is new to it (a delivery). */
  got(poller: number, publisher: number, seq: number): boolean {
    const slot = poller * this.publishers + publisher;
    const want = this.wanted[slot] as number;
    if (seq < want) {
      if (this.gaps.get(slot)?.delete(seq) !== true) {
        this.duplicates++;
        return false;
      }
      this.outOfOrder++;
      this.missed--;
      this.delivered++;
      return true;
    }
    if (seq > want) {
      const skipped = this.gaps.get(slot) ?? new Set<number>();
      for (let s = want; s < seq; s++) skipped.add(s);
      this.gaps.set(slot, skipped);
      this.missed += seq - want;
    }
    this.reached[poller] = (this.reached[poller] as number) + seq - want + 1;
    this.wanted[slot] = seq + 1;
    this.delivered++;
    return true;
  }

  /** reachedAll tells whether `poller` has got (or skipped past) all of `total` posts. */
  reachedAll(poller: number, total: number): boolean {
    return (this.reached[poller] as number) >= total;
  }

  /** close ends the account once `total` posts were accepted: whatever a poller never reached, it missed. */
  close(total: number): void {
    for (let i = 0; i < this.pollers; i++) this.missed += Math.max(0, total - (this.reached[i] as number));
  }
}
