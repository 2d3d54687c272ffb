import type { PollCommand } from '../protocol/packets.ts';
import type { Linked, LinkedList } from '../util/linked-list.ts';
import { Deadlines, type Timed } from './deadlines.ts';

/** Waiter is one held poll: its room's set and its place among the deadlines. */
class Waiter implements Timed {
  due = 0;
  prev: Linked | undefined = undefined;
  next: Linked | undefined = undefined;
  list: LinkedList<Linked> | undefined = undefined;

  constructor(
    readonly command: PollCommand,
    readonly room: Set<Waiter>,
  ) {}
}

/**
 * HeldPolls parks polls that found nothing new, per room, until a message
 * releases them (take), their timeout passes (onTimeout), or their client
 * goes away. Every way out cancels the deadline, so a released poll leaves
 * nothing behind.
 */
export class HeldPolls {
  private readonly rooms = new Map<string, Set<Waiter>>();
  private readonly deadlines: Deadlines<Waiter>;
  private held = 0;

  constructor(onTimeout: (command: PollCommand) => void) {
    this.deadlines = new Deadlines((waiter) => {
      this.remove(waiter);
      onTimeout(waiter.command);
    });
  }

  /** How many polls are held across all rooms. */
  get count(): number {
    return this.held;
  }

  hold(command: PollCommand): void {
    let room = this.rooms.get(command.room);
    if (room === undefined) {
      room = new Set();
      this.rooms.set(command.room, room);
    }
    const waiter = new Waiter(command, room);
    this.deadlines.add(waiter, command.timeoutMs);
    // Ended while still held means the client went away: forget the poll.
    command.request.onEnd(() => this.remove(waiter));
    room.add(waiter);
    this.held++;
  }

  /** take releases every poll held in a room and hands them back to be answered. */
  take(room: string): PollCommand[] {
    const waiters = this.rooms.get(room);
    if (waiters === undefined) return [];
    this.rooms.delete(room);
    return this.release(waiters);
  }

  /** takeAll releases every held poll, for shutdown. */
  takeAll(): PollCommand[] {
    const all = [...this.rooms.values()].flatMap((waiters) => this.release(waiters));
    this.rooms.clear();
    return all;
  }

  private release(waiters: Set<Waiter>): PollCommand[] {
    const commands: PollCommand[] = [];
    for (const waiter of waiters) {
      this.deadlines.cancel(waiter);
      commands.push(waiter.command);
    }
    this.held -= waiters.size;
    // Emptied, so the onEnd of an answered poll finds nothing left to remove.
    waiters.clear();
    return commands;
  }

  private remove(waiter: Waiter): void {
    const { room, command } = waiter;
    if (!room.delete(waiter)) return;
    this.deadlines.cancel(waiter);
    this.held--;
    if (room.size === 0 && this.rooms.get(command.room) === room) this.rooms.delete(command.room);
  }
}
