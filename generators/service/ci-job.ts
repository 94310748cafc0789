/**
 * The service's quality gate as a provider-neutral CI job: the same npm
 * scripts a developer runs (format check, lint, type check, tests with
 * coverage, build), against real PostgreSQL and Redis service containers when
 * the project uses them.
 */
import type { Facts } from '../core/facts.ts';
import type { CiJob, CiService } from '../core/slots.ts';
import { pinnedImage } from '../core/versions.ts';

/** Password of the throwaway CI database: it lives for one job and holds no data. */
const CI_DATABASE_PASSWORD = 'ci-only';

/** The `ci` job: runs on pull requests and on main. */
export function serviceCiJob(facts: Facts): CiJob {
  const services: CiService[] = [];
  const env: Record<string, string> = { NODE_ENV: 'test' };
  if (facts.hasPostgres) {
    const database = facts.databaseName;
    services.push({
      name: 'postgres',
      image: pinnedImage('postgres'),
      env: { POSTGRES_USER: database, POSTGRES_PASSWORD: CI_DATABASE_PASSWORD, POSTGRES_DB: database },
      healthCommand: `pg_isready --username ${database} --dbname ${database}`,
      port: 5432,
    });
    env.DATABASE_URL = `postgres://${database}:${CI_DATABASE_PASSWORD}@postgres:5432/${database}`;
  }
  if (facts.hasRedis) {
    services.push({ name: 'redis', image: pinnedImage('redis'), healthCommand: 'redis-cli ping', port: 6379 });
    env.REDIS_URL = 'redis://redis:6379';
  }
  return {
    name: 'ci',
    stage: 'test',
    on: { pullRequest: true, main: true },
    needs: [],
    services,
    env,
    node: true,
    steps: [
      { name: 'Check formatting', run: 'npm run format:check' },
      { name: 'Lint', run: 'npm run lint' },
      { name: 'Type-check', run: 'npm run typecheck' },
      { name: 'Test with coverage', run: 'npm test' },
      { name: 'Build', run: 'npm run build' },
    ],
    artifacts: [{ name: 'coverage', paths: ['coverage/'], expireDays: 14, when: 'always' }],
    caches: [],
    permissions: {},
    timeoutMinutes: 20,
  };
}
