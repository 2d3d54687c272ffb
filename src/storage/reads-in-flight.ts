/**
 * ReadsInFlight closes a gap a shared store opens: a poll's read may find
 * nothing new while an append that came after it in the store is already
 * heard, before the read's answer. Holding that poll would miss the append
 * until the next one. So while reads of a room are on their way, the newest
 * id heard in it is kept, and a read that comes back older looks again.
 */
export class ReadsInFlight {
  private readonly rooms = new Map<string, { reads: number; newest: number }>();

  begin(room: string): void {
    const flight = this.rooms.get(room);
    if (flight === undefined) this.rooms.set(room, { reads: 1, newest: 0 });
    else flight.reads++;
  }

  /** saw notes an id heard in a room; only rooms with reads on their way keep it. */
  saw(room: string, id: number): void {
    const flight = this.rooms.get(room);
    if (flight !== undefined && id > flight.newest) flight.newest = id;
  }

  /** end closes one read of a room; it returns the newest id heard while it was on its way, 0 for none. */
  end(room: string): number {
    const flight = this.rooms.get(room);
    if (flight === undefined) return 0;
    if (--flight.reads === 0) this.rooms.delete(room);
    return flight.newest;
  }
}
