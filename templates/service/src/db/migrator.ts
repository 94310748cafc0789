/**
 * A small, strict migration runner. Migrations are SQL in the code (compiled
 * into dist/, so the image needs nothing else) and run forward only:
 * - a session advisory lock makes concurrent runs (several replicas, a Job
 *   and a developer) wait for each other instead of racing;
 * - each migration runs in its own transaction together with its bookkeeping
 *   row, so it is applied completely or not at all, and a runner that finds
 *   the row already claimed skips the migration;
 * - a migration changed after it was applied stops the run (checksums).
 */
import { createHash } from 'node:crypto';
import type { ClientBase } from 'pg';
import type { Logger } from '../logger.ts';

export interface Migration {
  /** Sortable and unique, e.g. 0001_create_items. Never rename an applied migration. */
  id: string;
  sql: string;
}

/** Key of the advisory lock: the same number in every process of this service. */
export const MIGRATION_LOCK_KEY = 72_410_317_615_421n;

/** How long one migration may wait for a table lock before failing (instead of blocking traffic behind it). */
export const MIGRATION_LOCK_TIMEOUT = '10s';

export class MigrationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export function checksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

function assertWellFormed(migrations: readonly Migration[]): void {
  const ids = migrations.map((migration) => migration.id);
  const sorted = [...ids].sort();
  if (new Set(ids).size !== ids.length) throw new MigrationError(`Duplicate migration ids: ${ids.join(', ')}`);
  if (ids.some((id, index) => id !== sorted[index]))
    throw new MigrationError(`Migrations must be listed in id order: ${ids.join(', ')}`);
}

/** Applies pending migrations in order; returns the ids it applied. */
export async function migrate(client: ClientBase, migrations: readonly Migration[], logger: Logger): Promise<string[]> {
  assertWellFormed(migrations);
  const waitStarted = performance.now();
  await client.query('SELECT pg_advisory_lock($1)', [String(MIGRATION_LOCK_KEY)]);
  logger.debug({ waitedMs: Math.round(performance.now() - waitStarted) }, 'migration lock acquired');
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ id: string; checksum: string }>(
      'SELECT id, checksum FROM schema_migrations ORDER BY id',
    );
    const applied = new Map(rows.map((row) => [row.id, row.checksum]));
    const known = new Set(migrations.map((migration) => migration.id));
    for (const id of applied.keys()) {
      if (!known.has(id))
        logger.warn(
          { migration: id },
          'the database has a migration this version does not know (a newer version ran before)',
        );
    }
    const pending: Migration[] = [];
    for (const migration of migrations) {
      const recorded = applied.get(migration.id);
      if (recorded === undefined) pending.push(migration);
      else if (recorded !== checksum(migration))
        throw new MigrationError(
          `Migration ${migration.id} was changed after it was applied; add a new migration instead.`,
        );
    }
    const appliedNow: string[] = [];
    for (const migration of pending) {
      const started = performance.now();
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL lock_timeout = '${MIGRATION_LOCK_TIMEOUT}'`);
        // Claiming the id first makes a concurrent runner that got past the lock skip it, never apply it twice.
        const claim = await client.query(
          'INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING',
          [migration.id, checksum(migration)],
        );
        if (claim.rowCount === 0) {
          await client.query('ROLLBACK');
          logger.info({ migration: migration.id }, 'migration already applied by another run');
          continue;
        }
        await client.query(migration.sql);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new MigrationError(`Migration ${migration.id} failed and was rolled back: ${(error as Error).message}`, {
          cause: error,
        });
      }
      appliedNow.push(migration.id);
      logger.info(
        { migration: migration.id, durationMs: Math.round(performance.now() - started) },
        'migration applied',
      );
    }
    return appliedNow;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [String(MIGRATION_LOCK_KEY)]);
  }
}
