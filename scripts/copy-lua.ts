import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The second half of `npm run build`: the Lua scripts the Redis stores read
 * from beside their modules (src/redis/scripts.ts) are copied beside the
 * compiled modules in dist/. One already there unchanged is left alone, so
 * that a server starting meanwhile never reads a half-copied file.
 */
for (const file of readdirSync('src', { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.lua')) continue;
  const target = path.join('dist', 'src', file);
  const source = path.join('src', file);
  if (existsSync(target) && readFileSync(target).equals(readFileSync(source))) continue;
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(source, target);
}
