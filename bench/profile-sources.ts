import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * tsx hands V8 TypeScript compiled by esbuild with whitespace minified, so
 * every function of a .ts file sits on line 1 of what V8 profiled. To name
 * the source line, the file is compiled again with the options tsx uses and
 * the column is looked up in that source map. The result is trusted only if
 * the recompiled code has the profiled function's name just before the
 * column; otherwise the profile's own line:column is shown.
 */

type Transform = (source: string, options: Record<string, unknown>) => { code: string; map: string };

// esbuild comes with tsx; it is not a dependency of its own, so its absence only costs the mapping.
let transform: Transform | undefined | null = null;

async function loadTransform(): Promise<Transform | undefined> {
  if (transform === null) {
    try {
      const esbuild = (await import('esbuild')) as { transformSync: Transform };
      transform = esbuild.transformSync;
    } catch {
      transform = undefined;
    }
  }
  return transform;
}

interface Compiled {
  readonly code: string;
  readonly map: SourceMap;
  /** False once a named function was not where the profile put it: then no line of the file is trusted. */
  trusted: boolean;
}

const compiled = new Map<string, Compiled | undefined>();

/** sourceMapOf reads a source map's JSON. */
function sourceMapOf(json: string): SourceMap {
  return new SourceMap(JSON.parse(json) as ConstructorParameters<typeof SourceMap>[0]);
}

function compile(url: string, run: Transform): Compiled | undefined {
  if (compiled.has(url)) return compiled.get(url);
  let result: Compiled | undefined;
  try {
    const file = fileURLToPath(url);
    const out = run(readFileSync(file, 'utf8'), {
      // tsx's options for ESM (tsx/dist: Ne and the esm transform).
      target: `node${process.versions.node}`,
      loader: 'ts',
      sourcemap: true,
      minifyWhitespace: true,
      keepNames: true,
      format: 'esm',
      sourcefile: file,
    });
    result = { code: out.code, map: sourceMapOf(out.map), trusted: true };
  } catch {
    result = undefined;
  }
  compiled.set(url, result);
  return result;
}

/** SourceLines maps (url, line, column, name) of a profiled TypeScript function to its 1-based source line. */
export interface SourceLines {
  lineOf(url: string, line: number, column: number, name: string): number | undefined;
}

/** sourceLines prepares the mapping; it maps nothing when esbuild cannot be loaded. */
export async function sourceLines(): Promise<SourceLines> {
  const run = await loadTransform();
  return {
    lineOf(url, line, column, name) {
      if (run === undefined || line !== 0 || !url.startsWith('file://') || !url.endsWith('.ts') || url.includes('/node_modules/')) return undefined;
      const unit = compile(url, run);
      if (unit === undefined) return undefined;
      // A named function's name precedes its parameter list within a few characters (`name(`, `name=(`, `name:function(`).
      if (name !== '' && !unit.code.slice(Math.max(0, column - name.length - 12), column + 1).includes(name)) unit.trusted = false;
      if (!unit.trusted) return undefined;
      const entry = unit.map.findEntry(0, column) as { originalLine?: number };
      return entry.originalLine === undefined ? undefined : entry.originalLine + 1;
    },
  };
}

/** The place in a file a profile names: V8's 0-based line and column. */
export interface FramePlace {
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

const bundleMaps = new Map<string, { map: SourceMap; url: string } | undefined>();

function bundleMap(url: string): { map: SourceMap; url: string } | undefined {
  if (!bundleMaps.has(url)) {
    const file = url.startsWith('file://') && url.endsWith('.js') ? `${fileURLToPath(url)}.map` : undefined;
    const found = file !== undefined && existsSync(file) ? { map: sourceMapOf(readFileSync(file, 'utf8')), url: pathToFileURL(file).href } : undefined;
    bundleMaps.set(url, found);
  }
  return bundleMaps.get(url);
}

/**
 * unbundled moves a frame of the bundled server (dist/src/main.js and its
 * chunks, scripts/bundle.ts) to the module it was bundled from, by the
 * source map beside the bundle: so the profile names flowchat's files and
 * each package's, as when every module was a file of its own. A frame of a
 * file without a map is returned as it is.
 */
export function unbundled<F extends FramePlace>(frame: F): F {
  const bundle = bundleMap(frame.url);
  if (bundle === undefined) return frame;
  const entry = bundle.map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number; originalColumn?: number };
  if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) return frame;
  return { ...frame, url: new URL(entry.originalSource, bundle.url).href, lineNumber: entry.originalLine, columnNumber: entry.originalColumn };
}
