import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeIfChanged } from './write-if-changed.ts';

/**
 * The last step of `npm run build`: the Lua scripts the Redis stores read
 * from beside their modules (src/redis/scripts.ts) are copied to where the
 * bundle looks for them, beside each module's place in dist/
 * (scripts/bundle.ts).
 */
for (const file of readdirSync('src', { recursive: true, encoding: 'utf8' })) {
  if (file.endsWith('.lua')) writeIfChanged(path.join('dist', 'src', file), readFileSync(path.join('src', file)));
}
