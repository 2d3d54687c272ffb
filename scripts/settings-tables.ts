import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadComponents } from '../src/app/components.ts';
import type { Registry } from '../src/runtime/registry.ts';
import { ENVIRONMENT, TUNING } from '../src/app/settings.ts';

/**
 * The READMEs' settings tables, written from the declarations (ENVIRONMENT
 * and TUNING in src/app/settings.ts, each setting port's default) so that they
 * cannot drift. `npm run docs` rewrites them; test/docs.test.ts fails when
 * they are out of date.
 */

const shown = (value: unknown): string => (value === undefined ? 'unset' : `\`${String(value)}\``);

/** environmentTable is README.md's table of environment variables. */
export function environmentTable(registry: Registry): string {
  const rows = Object.entries(ENVIRONMENT).map(([name, v]) => `| \`${name}\` | ${shown(v.default)} | ${v.meaning} |`);
  for (const [name, { component, port }] of Object.entries(TUNING)) {
    const spec = registry.get(component)?.inPorts[port];
    if (spec?.default === undefined) throw new Error(`TUNING maps ${name} onto ${component}.${port}, which is not a setting port`);
    rows.push(`| \`${name}\` | ${shown(spec.default)} | sets \`${component}.${port}\`: ${spec.description} |`);
  }
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** portTable is components/README.md's table of the settings each component's ports take. */
export function portTable(registry: Registry): string {
  const rows: string[] = [];
  for (const name of registry.names) {
    for (const [port, spec] of Object.entries(registry.get(name)?.inPorts ?? {})) {
      if (spec.default === undefined) continue;
      const variable = Object.entries(TUNING).find(([, t]) => t.component === name && t.port === port)?.[0];
      rows.push(`| \`${name}.${port}\` | ${shown(spec.default)} | ${spec.description}${variable ? ` (environment: \`${variable}\`)` : ''} |`);
    }
  }
  return ['| component.port | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** The READMEs and the table each holds between its markers. */
export const GENERATED = [
  { file: 'README.md', marker: 'environment', table: environmentTable },
  { file: 'components/README.md', marker: 'ports', table: portTable },
] as const;

/** withTable returns a README's text with the table between its markers replaced. */
export function withTable(text: string, marker: string, table: string): string {
  const begin = `<!-- settings:${marker} (generated from the declarations by npm run docs) -->`;
  const end = `<!-- /settings:${marker} -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`no ${begin} … ${end} markers to write the table between`);
  return `${text.slice(0, from + begin.length)}\n${table}\n${text.slice(to)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const registry = await loadComponents();
  for (const { file, marker, table } of GENERATED) {
    const text = readFileSync(file, 'utf8');
    const next = withTable(text, marker, table(registry));
    if (next !== text) writeFileSync(file, next);
    console.log(`${file}: ${next === text ? 'up to date' : 'settings table written'}`);
  }
}
