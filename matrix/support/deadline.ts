/**
 * Waiting for something with a time limit. A plain
 * `Promise.race([promise, sleep(ms)])` leaves the sleep's timer running after
 * the promise wins, and a pending timer keeps Node.js alive: a process that
 * has finished its work would wait out the rest of the limit before exiting
 * (the replay engine waited out 25 s of its 30 s stop timeout on every run).
 */

/**
 * Resolves with `promise`'s value, or with `fallback` once `ms` milliseconds
 * have passed, whichever comes first. The timer is cleared either way, so a
 * race that is over never keeps the process alive. Rejects when `promise`
 * rejects first.
 */
export async function withDeadline<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
