/**
 * What the network needs to trace packets: for a packet that belongs to a
 * traced request, each hop (the process, its in-port, the time the packet
 * waited in the connection and the time the process spent on it) is handed
 * to the trace. The network knows nothing of requests: the application says
 * which packets are traced.
 */

/** Hop is one process's turn with a traced packet. */
export interface Hop {
  readonly process: string;
  readonly port: string;
  /** Milliseconds the packet waited in the connection for the process to be free. */
  readonly waitMs: number;
  /** Milliseconds the process spent on it, not counting the processes it handed packets to meanwhile. */
  readonly ms: number;
  /** When the process took the packet: performance.now(). */
  readonly at: number;
}

/** HopLog is where a traced packet's hops go. */
export interface HopLog {
  add(hop: Hop): void;
}

export interface Tracing {
  /** Traced requests in flight: while there are none, the network looks at no packet, so tracing costs nothing. */
  readonly active: number;
  /** The hop log of the trace a packet belongs to, if it belongs to one. */
  of(packet: unknown): HopLog | undefined;
}
