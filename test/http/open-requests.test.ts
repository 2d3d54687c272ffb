import { describe, expect, it } from 'vitest';
import { OpenRequests, type OpenRequest } from '../../src/http/open-requests.ts';
import { fakeRequest } from '../helpers/fake-request.ts';

const openRequest = (): OpenRequest => Object.assign(fakeRequest(), { prev: undefined, next: undefined, list: undefined });

describe('OpenRequests', () => {
  it('drains what is still open, oldest first, and forgets it', () => {
    const open = new OpenRequests();
    const [a, b, c] = [openRequest(), openRequest(), openRequest()];
    for (const request of [a, b, c]) open.add(request);
    open.delete(b);
    expect(open.size).toBe(2);
    expect(open.drain()).toEqual([a, c]);
    expect(open.size).toBe(0);
  });

  it('tells the most requests open at once since it was last asked, however briefly', () => {
    const open = new OpenRequests();
    const requests = Array.from({ length: 100 }, openRequest);
    for (const request of requests) open.add(request);
    // All answered in one turn, as a fan-out releases them: the peak is not missed.
    for (const request of requests) open.delete(request);
    expect(open.size).toBe(0);
    expect(open.takeHighWater()).toBe(100);
    expect(open.takeHighWater()).toBe(0);
    open.add(openRequest());
    expect(open.takeHighWater()).toBe(1);
    expect(open.takeHighWater()).toBe(1);
  });
});
