import { Session } from 'node:inspector';

/**
 * MemoryReclaimer gives memory back after a wave of clients has gone.
 *
 * V8 collects garbage when JavaScript allocates. A server whose 10,000
 * polls have just closed allocates almost nothing, so what they left (some
 * 80 MiB of garbage, and a young generation grown to 32 MiB) stays for as
 * long as the server stays quiet: we watched an idle flowchat keep twice its
 * idle RSS for minutes. Once the load (the most requests open at once
 * between two samples) has stayed at half its peak or less, and at least
 * `minDrop` lower, for `quietMs`, the reclaimer runs the collection V8 keeps
 * for low memory, which also shrinks the young generation and returns freed
 * pages. It never runs under load: the peak must have fallen and stayed
 * down.
 */
export class MemoryReclaimer {
  private peak = 0;
  private lowSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Collections run so far. */
  runs = 0;

  constructor(
    /** The most requests open at once since it was last asked. */
    private readonly load: () => number,
    private readonly collect: (fell: { readonly from: number; readonly to: number }) => void,
    private readonly options: { readonly minDrop: number; readonly quietMs: number; readonly sampleMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** The highest load seen since the last collection. */
  get peakLoad(): number {
    return this.peak;
  }

  /** Whether it samples the load: from start() to stop(), unless minDrop is 0 (switched off). */
  get sampling(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.options.minDrop === 0 || this.timer !== undefined) return;
    this.timer = setInterval(() => this.sample(), this.options.sampleMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** sample looks at the load once and collects if it has stayed down long enough; true when it collected. */
  sample(): boolean {
    const load = this.load();
    const now = this.now();
    this.peak = Math.max(this.peak, load);
    const fallen = this.peak - load >= this.options.minDrop && load <= this.peak / 2;
    if (!fallen) {
      this.lowSince = undefined;
      return false;
    }
    this.lowSince ??= now;
    if (now - this.lowSince < this.options.quietMs) return false;
    this.collect({ from: this.peak, to: load });
    this.runs++;
    this.peak = load;
    this.lowSince = undefined;
    return true;
  }
}

/**
 * lowMemoryCollection returns a function that asks V8 for a full,
 * memory-reducing collection (what it runs on a low-memory notification),
 * then, once it is done, calls `trim` to hand the C allocator's free pages
 * back to the system; or undefined in a Node built without the inspector.
 * The in-process inspector is the one public way to ask for the collection:
 * `global.gc` needs --expose-gc and does not shrink the young generation.
 * The session opens no port and is closed once the collection is done.
 *
 * The trim matters as much as the collection: the collection frees what
 * the closed connections held in C++ (sockets, parsers), some 2.4 KiB each,
 * but glibc returns memory only from the top of its heap, and blocks V8
 * keeps for good (its global handles) pin the top; so 10,000 closed
 * connections left 24 MiB resident until malloc_trim gave it back
 * (measured: RSS below idle after it).
 */
export function lowMemoryCollection(trim: (() => boolean) | undefined): ((done?: (result: Collected) => void) => void) | undefined {
  if (!process.features.inspector) return undefined;
  return (done) => {
    const session = new Session();
    session.connect();
    session.post('HeapProfiler.collectGarbage', () =>
      // Disconnecting inside the callback would wait on the very dispatch that runs it: never.
      setImmediate(() => {
        session.disconnect();
        if (trim === undefined) return done?.({ trim: 'missing', trimMs: 0 });
        const started = performance.now();
        const released = trim();
        done?.({ trim: released ? 'released' : 'nothing-released', trimMs: Math.round(performance.now() - started) });
      }),
    );
  };
}

/**
 * Collected is what a low-memory collection reports: whether the allocator
 * was trimmed ('missing' without the addon) and gave memory back, and how
 * long the trim paused the server.
 */
export interface Collected {
  readonly trim: 'missing' | 'released' | 'nothing-released';
  readonly trimMs: number;
}
