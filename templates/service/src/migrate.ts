/**
 * Applies pending database migrations and exits: `npm run migrate` in
 * development, `node dist/migrate.js` in production (a Kubernetes Job or a
 * one-off container before the new version starts). It reads only the
 * database variables and LOG_LEVEL. Exit status 0 on success, 1 on failure,
 * 2 on invalid configuration.
 */
import pg from 'pg';
import { ConfigError, loadMigrationConfig, type MigrationConfig } from './config.ts';
import { migrations } from './db/migrations.ts';
import { migrate } from './db/migrator.ts';
import { connectionConfig } from './db/pool.ts';
import { createLogger, type Logger } from './logger.ts';

export async function runMigrations(config: MigrationConfig, logger: Logger): Promise<string[]> {
  const client = new pg.Client(connectionConfig(config));
  await client.connect();
  try {
    return await migrate(client, migrations, logger);
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  let config: MigrationConfig;
  try {
    config = loadMigrationConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const logger = createLogger(config.LOG_LEVEL);
  try {
    const applied = await runMigrations(config, logger);
    logger.info(
      { applied, total: migrations.length },
      applied.length === 0 ? 'database schema is up to date' : 'migrations applied',
    );
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'migration failed');
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main();
