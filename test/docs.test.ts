import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { protocolErrors } from '../src/protocol/errors.ts';
import { loadComponents } from '../src/app/components.ts';
import { graphProblems } from '../src/runtime/errors.ts';
import { GENERATED, withTable } from '../scripts/settings-tables.ts';

/** Keeps the error codes in code, in the READMEs and in PROTOCOL.md in step: the protocol's beside its code, the graph's beside the components. */
const readme = readFileSync('src/protocol/README.md', 'utf8');
const componentsReadme = readFileSync('components/README.md', 'utf8');
const PROTOCOL = '../shared/PROTOCOL.md';

/** tableRows reads the rows of the markdown tables whose first column is headed "code". */
function tableRows(markdown: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  let header: string | undefined;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      header = undefined;
      continue;
    }
    const cells = line.split('|').map((c) => c.trim());
    header ??= cells[1];
    const code = /^`([A-Z_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (header === 'code' && code !== undefined) rows.set(code, cells.slice(2, -1));
  }
  return rows;
}

describe('error codes', () => {
  const rows = tableRows(readme);
  const graphRows = tableRows(componentsReadme);

  it.each(Object.entries(protocolErrors))('%s is in src/protocol/README.md with its status', (code, [status]) => {
    expect(rows.get(code)?.[0]).toBe(String(status));
  });

  it.each(Object.keys(graphProblems))('%s is in components/README.md', (code) => {
    expect(graphRows.has(code)).toBe(true);
  });

  it('the READMEs list no code the server does not have', () => {
    expect([...rows.keys()].filter((code) => !(code in protocolErrors))).toEqual([]);
    expect([...graphRows.keys()].filter((code) => !(code in graphProblems))).toEqual([]);
  });

  it('matches the status table of PROTOCOL.md', (context) => {
    // PROTOCOL.md lives beside the repository, given from outside; a bare clone elsewhere has none,
    // but CI has it, and there a missing file must not pass as a skip.
    if (!existsSync(PROTOCOL)) {
      if (process.env.REQUIRE_E2E === '1') throw new Error(`required (REQUIRE_E2E=1) but ${PROTOCOL} is not beside this checkout`);
      context.skip(true, `skipped: ${PROTOCOL} is not beside this checkout`);
    }
    const protocol = readFileSync(PROTOCOL, 'utf8');
    const documented = new Map<string, number>();
    for (const line of protocol.split('\n')) {
      const match = /^\| (\d{3}) \| (.+) \|$/.exec(line);
      if (match === null) continue;
      for (const [, code] of match[2]!.matchAll(/`([A-Z_]+)`/g)) documented.set(code!, Number(match[1]));
    }
    const ours = Object.fromEntries(Object.entries(protocolErrors).map(([code, [status]]) => [code, status]));
    for (const [code, status] of documented) expect(ours[code], code).toBe(status);
    // What we add to PROTOCOL.md's table, the README marks as an addition.
    for (const code of Object.keys(ours).filter((c) => !documented.has(c))) expect(rows.get(code)?.[1], code).toContain('an addition to PROTOCOL.md');
  });
});

describe('settings tables', () => {
  it.each(GENERATED.map((g) => [g.file, g] as const))('%s shows every setting as declared (else run npm run docs)', async (file, { marker, table }) => {
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(withTable(text, marker, table(await loadComponents())));
  });

  it('lists each default where it is declared, so a changed declaration changes the table', async () => {
    const table = GENERATED[1].table(await loadComponents());
    expect(table).toContain('| `Storage.capacity` | `1000` |');
    expect(table).toContain('| `RateLimit.limit` | `20` |');
  });
});
