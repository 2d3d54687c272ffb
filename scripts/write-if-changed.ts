import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * writeIfChanged puts `contents` at `file` for the build. A server starting
 * meanwhile (tests start several, each `npm start` building first) must
 * never read half a file: an unchanged file is left alone, a changed one is
 * written beside it and renamed into place. True when it wrote.
 */
export function writeIfChanged(file: string, contents: Uint8Array): boolean {
  if (existsSync(file) && readFileSync(file).equals(contents)) return false;
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
  return true;
}
