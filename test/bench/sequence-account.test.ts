import { describe, expect, it } from 'vitest';
import { SequenceAccount } from '../../bench/scenarios/sequence-account.ts';

const figures = (a: SequenceAccount) => ({ delivered: a.delivered, missed: a.missed, duplicates: a.duplicates, outOfOrder: a.outOfOrder });

describe("the throughput scenario's account", () => {
  it('counts every post of every publisher got in order, once per poller', () => {
    const account = new SequenceAccount(2, 2);
    for (const poller of [0, 1]) for (const [publisher, seq] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) expect(account.got(poller, publisher, seq)).toBe(true);
    expect([account.reachedAll(0, 4), account.reachedAll(1, 4)]).toEqual([true, true]);
    account.close(4);
    expect(figures(account)).toEqual({ delivered: 8, missed: 0, duplicates: 0, outOfOrder: 0 });
  });

  it('counts a skipped post as missed until it comes, then as out of order', () => {
    const account = new SequenceAccount(1, 1);
    account.got(0, 0, 0);
    account.got(0, 0, 3);
    expect(figures(account)).toEqual({ delivered: 2, missed: 2, duplicates: 0, outOfOrder: 0 });
    expect(account.got(0, 0, 1)).toBe(true);
    account.close(4);
    expect(figures(account)).toEqual({ delivered: 3, missed: 1, duplicates: 0, outOfOrder: 1 });
  });

  it('counts a post got again as a duplicate, not a delivery', () => {
    const account = new SequenceAccount(1, 1);
    account.got(0, 0, 0);
    account.got(0, 0, 1);
    expect(account.got(0, 0, 1)).toBe(false);
    expect(account.got(0, 0, 0)).toBe(false);
    account.close(2);
    expect(figures(account)).toEqual({ delivered: 2, missed: 0, duplicates: 2, outOfOrder: 0 });
  });

  it("counts the posts a poller never reached as missed, and keeps pollers' and publishers' numbers apart", () => {
    const account = new SequenceAccount(2, 2);
    account.got(0, 0, 0);
    account.got(0, 1, 0);
    account.got(1, 1, 0);
    expect(account.reachedAll(0, 3)).toBe(false);
    account.close(3);
    // Poller 0 reached 2 of 3, poller 1 one of 3.
    expect(figures(account)).toEqual({ delivered: 3, missed: 3, duplicates: 0, outOfOrder: 0 });
  });
});
