import { describe, expect, it } from 'vitest';
import { withDeadline } from '../../matrix/support/deadline.ts';

const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

describe('withDeadline', () => {
  it('gives the promise its value and leaves no timer behind to keep the process alive', async () => {
    const before = timers();
    expect(await withDeadline(Promise.resolve(0), 60_000, 'still running')).toBe(0);
    expect(timers()).toBe(before);
  });

  it('gives the fallback once the deadline has passed, and clears its timer', async () => {
    const before = timers();
    expect(await withDeadline(new Promise<number>(() => undefined), 10, false)).toBe(false);
    expect(timers()).toBe(before);
  });

  it('rejects as the promise does, and clears its timer', async () => {
    const before = timers();
    await expect(withDeadline(Promise.reject(new Error('exited badly')), 60_000, undefined)).rejects.toThrow('exited badly');
    expect(timers()).toBe(before);
  });
});
