/** Bounded concurrency for the matrix's check runs. */
import pLimit from 'p-limit';

/**
 * Runs `work` on every item, at most `concurrency` (at least 1) at a time,
 * started in the order of the items. Resolves when all are done; rejects with
 * the first failure (the others still run to completion).
 */
export async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const limit = pLimit(Math.max(1, Math.floor(concurrency)));
  await Promise.all(items.map((item) => limit(() => work(item))));
}
