import type { AftermathJob, AftermathResult, TargetServer } from '../types.ts';
import { runMemory } from './memory.ts';
import { runThroughput } from './throughput.ts';

/**
 * Aftermath: the throughput scenario on a fresh server, then the memory
 * scenario (10,000 polls held, then gone), then the throughput scenario
 * again, all against the same process. A server whose heap, timers or
 * allocator keep something of the 10,000 polls shows it as a higher CPU
 * per delivery the second time (issue #15 measured flowchat 4.1 µs fresh
 * and 4.5–4.6 µs after, back to back).
 */
export async function runAftermath(target: TargetServer, job: AftermathJob): Promise<AftermathResult> {
  const fresh = await runThroughput(target, job.throughput, 'fresh');
  const memory = await runMemory(target, job.memory);
  const after = await runThroughput(target, job.throughput, 'after');
  return { kind: 'aftermath', fresh, memory, after, slowdown: after.cpu.usPerDelivery / fresh.cpu.usPerDelivery };
}
