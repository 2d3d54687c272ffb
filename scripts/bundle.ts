import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { isComponentFile } from '../src/runtime/registry.ts';
import { writeIfChanged } from './write-if-changed.ts';

/**
 * The step of `npm run build` that makes the server `npm start` runs: the
 * server, its components and the packages they import, bundled into
 * dist/src/main.js, with what it imports only when asked for (Redis,
 * OpenTelemetry, OpenID) in dist/chunks/. One file instead of some 350
 * modules saves node loading each (bench/README: *A bundled server*).
 */

const OUT = 'dist';
const COMPONENTS = 'components';

/**
 * A bundle cannot list a folder at run time, so src/app/components.ts is
 * replaced by a module that imports each file of components/ as it is now,
 * and registers them as loadRegistry would. A component added later needs a
 * build, which `npm start` runs first.
 */
const componentList: Plugin = {
  name: 'component-list',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]app[\\/]components\.ts$/ }, (args) => {
      const files = readdirSync(COMPONENTS).filter(isComponentFile).sort();
      const imports = files.map((file, i) => `import * as c${i} from '../../${COMPONENTS}/${file}';`);
      const modules = files.map((file, i) => `{ file: '${COMPONENTS}/${file}', exports: c${i} }`);
      return {
        contents: [
          "import { registryOf } from '../runtime/registry.ts';",
          ...imports,
          `export const loadComponents = async () => registryOf([${modules.join(', ')}]);`,
        ].join('\n'),
        resolveDir: path.dirname(args.path),
        loader: 'ts',
      };
    });
  },
};

/**
 * Every file esbuild writes lies one folder below dist/ (src/ or chunks/).
 * So a module finds what lies beside its source (the Redis stores' Lua
 * scripts, the allocator addon) where tsc would have put the module: dist/,
 * then the source's path. Each `import.meta.url` of our own code is
 * rewritten to that place.
 */
const sourcePlaces: Plugin = {
  name: 'source-places',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const relative = path.relative(process.cwd(), args.path);
      if (relative.startsWith('..') || relative.startsWith('node_modules')) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const place = `../${relative.split(path.sep).join('/').replace(/\.ts$/, '.js')}`;
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(place)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

const result = await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outbase: '.',
  outdir: OUT,
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  // Whitespace and syntax only: identifiers stay (esbuild renames one only where two modules' top-level
  // names meet), so stack traces read as the source does; dist/src/main.js.map maps them to its lines.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  // Packages written as CommonJS call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __flowchatRequire } from 'node:module'; const require = __flowchatRequire(import.meta.url);" },
  // ioredis reads its own package.json beside its files (the version it names to Redis 7.2 and later), so it loads from node_modules.
  external: ['ioredis'],
  plugins: [componentList, sourcePlaces],
  write: false,
  logLevel: 'warning',
});

const written = new Set<string>();
for (const file of result.outputFiles) {
  const relative = path.relative(OUT, file.path);
  if (relative.split(path.sep).length !== 2) {
    throw new Error(`scripts/bundle.ts: esbuild wrote ${file.path}, not one folder below ${OUT}/, where sourcePlaces needs every file`);
  }
  written.add(file.path);
  writeIfChanged(file.path, file.contents);
}

// Chunks are named by their content, so each change of the code leaves the old ones behind.
const chunks = path.resolve(OUT, 'chunks');
for (const file of existsSync(chunks) ? readdirSync(chunks) : []) {
  const full = path.join(chunks, file);
  if (!written.has(full) && !file.endsWith('.tmp')) rmSync(full);
}
