import type { PollCommand } from '../protocol/packets.ts';

interface Waiter {
  readonly command: PollCommand;
  readonly timer: NodeJS.Timeout;
}

/**
 * HeldPolls parks polls that found nothing new, per room, until a message
 * releases them (take), their timeout passes (onTimeout), or their client
 * goes away. Every way out clears the timer, so a released poll leaves
 * nothing behind.
 */
export class HeldPolls {
  private readonly rooms = new Map<string, Set<Waiter>>();
  private held = 0;

  constructor(private readonly onTimeout: (command: PollCommand) => void) {}

  /** How many polls are held across all rooms. */
  get count(): number {
    return this.held;
  }

  hold(command: PollCommand): void {
    let waiters = this.rooms.get(command.room);
    if (waiters === undefined) {
      waiters = new Set();
      this.rooms.set(command.room, waiters);
    }
    const room = waiters;
    const waiter: Waiter = {
      command,
      timer: setTimeout(() => {
        this.remove(room, waiter);
        this.onTimeout(command);
      }, command.timeoutMs),
    };
    // Ended while still held means the client went away: forget the poll.
    command.request.onEnd(() => this.remove(room, waiter));
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
      this.forget(waiter);
      commands.push(waiter.command);
    }
    this.held -= waiters.size;
    // Emptied, so the onEnd of an answered poll finds nothing left to remove.
    waiters.clear();
    return commands;
  }

  private remove(room: Set<Waiter>, waiter: Waiter): void {
    if (!room.delete(waiter)) return;
    this.forget(waiter);
    this.held--;
    if (room.size === 0 && this.rooms.get(waiter.command.room) === room) this.rooms.delete(waiter.command.room);
  }

  private forget(waiter: Waiter): void {
    clearTimeout(waiter.timer);
  }
}
