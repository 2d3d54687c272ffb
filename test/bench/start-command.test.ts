import { describe, expect, it } from 'vitest';
import { npmStartCommand, parseStartCommand } from '../../bench/start-command.ts';
import { ROOT } from '../../bench/spawn.ts';

describe('the start command the bench runs flowchat with', () => {
  it("is package.json's start script: its node arguments and MALLOC_ARENA_MAX, defaulted as the shell would", () => {
    expect(npmStartCommand(ROOT, {})).toEqual({ env: { MALLOC_ARENA_MAX: '2' }, nodeArgs: ['dist/src/main.js'] });
    expect(npmStartCommand(ROOT, { MALLOC_ARENA_MAX: '8' }).env).toEqual({ MALLOC_ARENA_MAX: '8' });
    // An empty variable takes the default, as ${NAME:-value} does.
    expect(npmStartCommand(ROOT, { MALLOC_ARENA_MAX: '' }).env).toEqual({ MALLOC_ARENA_MAX: '2' });
  });

  it('reads plain assignments and a script without exec', () => {
    expect(parseStartCommand('A=1 B=${B:-x} node --flag src/main.ts', { B: 'y' })).toEqual({ env: { A: '1', B: 'y' }, nodeArgs: ['--flag', 'src/main.ts'] });
  });

  it('refuses a script of another form, saying what it understands', () => {
    expect(() => parseStartCommand('tsx src/main.ts', {})).toThrow(/understands "\[NAME=value …\] exec node ARGS…"/);
    expect(() => parseStartCommand('exec node', {})).toThrow(/understands/);
    expect(() => parseStartCommand('A=${B:-1} exec node x.ts', {})).toThrow(/defaults to another variable/);
  });
});
