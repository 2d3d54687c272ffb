import { createLogger, type AppLogger } from '../../src/app/logger.ts';

/** LogLine is one line a logger wrote, parsed. */
export interface LogLine {
  readonly level: number;
  readonly msg?: string;
  readonly [field: string]: unknown;
}

/** capturingLogger is the app's logger writing into `lines` instead of stdout. */
export function capturingLogger(level = 'info'): { logger: AppLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger(level, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}
