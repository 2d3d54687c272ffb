import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeIfChanged } from '../../scripts/write-if-changed.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'flowchat-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeIfChanged (the build)', () => {
  it('writes a new file, with the folders it needs', () => {
    const file = path.join(dir, 'a', 'b', 'main.js');
    expect(writeIfChanged(file, Buffer.from('one'))).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('one');
  });

  it('leaves an unchanged file alone, and puts a changed one in place of the old as a new file, leaving nothing beside it', () => {
    const file = path.join(dir, 'chunk.js');
    writeFileSync(file, 'same');
    const before = statSync(file).ino;
    expect(writeIfChanged(file, Buffer.from('same'))).toBe(false);
    expect(statSync(file).ino).toBe(before);
    expect(writeIfChanged(file, Buffer.from('changed'))).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('changed');
    // Renamed into place: a reader that had the old file open keeps reading the old one whole.
    expect(statSync(file).ino).not.toBe(before);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
