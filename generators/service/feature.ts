/**
 * The service: a Fastify 5 + TypeScript application with validated
 * configuration, health and metrics endpoints, a CRUD resource persisted in
 * Postgres (or in memory), security defaults, graceful shutdown and its own
 * quality gates (lint, typecheck, tests with coverage, build).
 */
import type { Facts } from '../core/facts.ts';
import type { Feature } from '../core/feature.ts';
import { serviceCiJob } from './ci-job.ts';
import {
  adrsSlot,
  alertsSlot,
  checklistSlot,
  ciJobsSlot,
  commandsSlot,
  docsSlot,
  envSlot,
  gitignoreSlot,
  networkPolicySlot,
  packageJsonSlot,
  readmeSlot,
  recordingRulesSlot,
  type EnvVar,
  type NetworkPolicyAllow,
} from '../core/slots.ts';
import { serviceAlerts, sliRecordingRules } from './alerts.ts';
import versions from '../core/versions.json' with { type: 'json' };
import { serviceAdrs } from './adrs.ts';
import { serviceChecklist } from './checklist.ts';

type NpmPackage = keyof typeof versions.npm;

function pinned(...names: NpmPackage[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, versions.npm[name]]));
}

const postgres = (facts: Facts) => facts.hasPostgres;
const memory = (facts: Facts) => facts.hasMemoryStore;
const redis = (facts: Facts) => facts.hasRedis;
const sentry = (facts: Facts) => facts.hasSentry;
const tracing = (facts: Facts) => facts.hasTracing;

/** Every variable the service reads; src/config.ts validates exactly these. */
export function serviceEnv(facts: Facts): EnvVar[] {
  const env: EnvVar[] = [
    { name: 'NODE_ENV', description: 'Runtime mode: development, test or production. Production hides error details from responses.', required: false, default: 'production', secret: false },
    { name: 'HOST', description: 'Address the HTTP server binds to.', required: false, default: '0.0.0.0', secret: false },
    { name: 'PORT', description: 'TCP port of the HTTP server.', required: false, default: String(facts.appPort), secret: false },
    { name: 'LOG_LEVEL', description: 'Minimum log level: fatal, error, warn, info, debug, trace or silent.', required: false, default: 'info', secret: false },
    {
      name: 'TRUST_PROXY',
      description:
        'Which proxies may set X-Forwarded-For: true, false, a hop count, or a comma-separated list of addresses, CIDR ranges and the names loopback, linklocal, uniquelocal.',
      required: false,
      default: 'loopback,linklocal,uniquelocal',
      secret: false,
    },
    { name: 'CORS_ORIGINS', description: 'Comma-separated origins allowed to call the API from a browser, such as `https://app.example.com`. Unset: no cross-origin access.', required: false, example: 'https://app.example.com', secret: false },
    { name: 'BODY_LIMIT_BYTES', description: 'Largest accepted request body in bytes; larger bodies get 413.', required: false, default: '1048576', secret: false },
    { name: 'REQUEST_TIMEOUT_MS', description: 'Time allowed to receive a whole request before the connection is closed with 408.', required: false, default: '30000', secret: false },
    {
      name: 'KEEP_ALIVE_TIMEOUT_MS',
      description: 'How long an idle keep-alive connection stays open. Keep it longer than the load balancer idle timeout (often 60 s) so the proxy closes first.',
      required: false,
      default: '72000',
      secret: false,
    },
    { name: 'RATE_LIMIT_MAX', description: 'Requests one client address may make per window before getting 429.', required: false, default: '300', secret: false },
    { name: 'RATE_LIMIT_WINDOW_MS', description: 'Length of the rate-limit window.', required: false, default: '60000', secret: false },
    { name: 'HEALTH_CHECK_TIMEOUT_MS', description: 'Time each dependency check of /readyz and /health may take before it counts as down.', required: false, default: '1000', secret: false },
    {
      name: 'SHUTDOWN_DRAIN_MS',
      description: 'After SIGTERM, how long /readyz fails while requests are still served, so load balancers stop routing before the server closes.',
      required: false,
      default: String(facts.shutdown.drainMs),
      secret: false,
    },
    {
      name: 'SHUTDOWN_TIMEOUT_MS',
      description: 'Hard limit for the whole shutdown; the process exits with status 1 when it is reached. Keep it below the orchestrator grace period (30 s on Kubernetes).',
      required: false,
      default: String(facts.shutdown.timeoutMs),
      secret: false,
    },
  ];
  if (postgres(facts)) {
    env.push(
      {
        name: 'DATABASE_URL',
        description: 'PostgreSQL connection URL. npm run dev and npm test start an embedded database when it is unset. Put TLS settings in DATABASE_SSL, not in the URL.',
        required: true,
        example: `postgres://${facts.databaseName}:change-me@127.0.0.1:5432/${facts.databaseName}`,
        secret: true,
      },
      { name: 'DATABASE_SSL', description: 'TLS to PostgreSQL: disable, require (encrypted, server not verified) or verify-full (encrypted, certificate and host name verified).', required: false, default: 'disable', secret: false },
      { name: 'DATABASE_SSL_CA_FILE', description: 'PEM file with the CA certificate(s) that sign the PostgreSQL server certificate (verify-full); the system CAs are used when unset.', required: false, example: '/etc/ssl/certs/postgres-ca.pem', secret: false },
      { name: 'DATABASE_POOL_MAX', description: 'Most connections the pool opens.', required: false, default: '10', secret: false },
      { name: 'DATABASE_CONNECT_TIMEOUT_MS', description: 'Time allowed to open a connection (or to wait for a free one) before a query fails.', required: false, default: '5000', secret: false },
      { name: 'DATABASE_IDLE_TIMEOUT_MS', description: 'Idle connections are closed after this long.', required: false, default: '30000', secret: false },
      { name: 'DATABASE_STATEMENT_TIMEOUT_MS', description: 'Server-side statement_timeout for every query of the service (not for migrations).', required: false, default: '5000', secret: false },
    );
  }
  if (memory(facts)) {
    env.push({ name: 'ITEMS_MEMORY_LIMIT', description: 'Most items kept in process memory; creating more answers 507, so memory stays bounded.', required: false, default: '10000', secret: false });
  }
  if (redis(facts)) {
    env.push({ name: 'REDIS_URL', description: 'Redis connection URL (redis:// or rediss:// for TLS), used for shared rate limits.', required: true, example: 'redis://127.0.0.1:6379', secret: true });
  }
  if (sentry(facts)) {
    env.push(
      { name: 'SENTRY_DSN', description: 'Sentry DSN. Error reporting is off when it is unset.', required: false, example: 'https://public-key@o0.ingest.sentry.io/0', secret: true },
      { name: 'SENTRY_ENVIRONMENT', description: 'Environment name reported to Sentry; NODE_ENV when unset.', required: false, example: 'staging', secret: false },
      { name: 'SENTRY_RELEASE', description: `Release reported to Sentry; \`${facts.name}@\` followed by the package version when unset. CI sets it to the image tag or commit.`, required: false, example: `${facts.name}@0.1.0`, secret: false },
    );
  }
  if (tracing(facts)) {
    env.push(
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', description: 'OTLP collector base URL (http/protobuf). Tracing is off when it is unset; the other standard OTEL_* variables apply as well.', required: false, example: 'http://otel-collector:4318', secret: false },
      { name: 'OTEL_SERVICE_NAME', description: 'Service name on every span.', required: false, default: facts.name, secret: false },
    );
  }
  return env;
}

function scripts(facts: Facts): Record<string, string> {
  const start = facts.startCommand.join(' ');
  const result: Record<string, string> = {
    build: 'node --eval "require(\'node:fs\').rmSync(\'dist\', { recursive: true, force: true })" && tsc -p tsconfig.build.json',
    dev: 'node --watch --env-file-if-exists=.env src/dev.ts',
    lint: 'eslint .',
    start,
    test: 'vitest run --coverage',
    'test:watch': 'vitest',
    typecheck: 'tsc -p tsconfig.json',
  };
  if (postgres(facts)) result.migrate = 'node --env-file-if-exists=.env src/migrate.ts';
  return result;
}

function dependencies(facts: Facts): Record<string, string> {
  return {
    ...pinned('fastify', 'helmet', '@fastify/rate-limit', '@fastify/cors', '@fastify/swagger', 'pino', 'prom-client', 'zod'),
    ...(postgres(facts) ? pinned('pg') : {}),
    ...(redis(facts) ? pinned('ioredis') : {}),
    ...(sentry(facts) ? pinned('@sentry/node') : {}),
    ...(tracing(facts)
      ? pinned(
          '@opentelemetry/api',
          '@opentelemetry/sdk-node',
          '@opentelemetry/instrumentation',
          '@opentelemetry/instrumentation-http',
          '@fastify/otel',
          'import-in-the-middle',
          ...(postgres(facts) ? (['@opentelemetry/instrumentation-pg'] as const) : []),
          ...(redis(facts) ? (['@opentelemetry/instrumentation-ioredis'] as const) : []),
        )
      : {}),
  };
}

function devDependencies(facts: Facts): Record<string, string> {
  return {
    ...pinned('typescript', '@types/node', 'eslint', '@eslint/js', 'typescript-eslint', 'vitest', '@vitest/coverage-v8', 'fast-check'),
    ...(postgres(facts) ? pinned('@types/pg', '@electric-sql/pglite', '@electric-sql/pglite-socket') : {}),
  };
}

/**
 * What the service's pods must reach or be reached by, for the Kubernetes
 * NetworkPolicy: Prometheus scraping /metrics, and the dependencies chosen
 * (each in its own Kustomize component).
 */
export function networkAllows(facts: Facts): NetworkPolicyAllow[] {
  const allows: NetworkPolicyAllow[] = [
    {
      name: 'ingress-prometheus',
      direction: 'ingress',
      peers: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      ports: [{ port: facts.appPort, protocol: 'TCP' }],
      why: `Prometheus in the monitoring namespace scrapes ${facts.paths.metrics}.`,
    },
  ];
  if (postgres(facts)) {
    allows.push({
      name: 'egress-postgres',
      direction: 'egress',
      kustomization: 'components/postgres',
      peers: [],
      ports: [{ port: 5432, protocol: 'TCP' }],
      why: 'PostgreSQL (DATABASE_URL) on port 5432, wherever it runs; narrow "to" to its address range or namespace.',
    });
  }
  if (redis(facts)) {
    allows.push({
      name: 'egress-redis',
      direction: 'egress',
      kustomization: 'components/redis',
      peers: [],
      ports: [{ port: 6379, protocol: 'TCP' }],
      why: 'Redis (REDIS_URL) on port 6379; narrow "to" to its address range or namespace.',
    });
  }
  if (tracing(facts)) {
    allows.push({
      name: 'egress-otlp',
      direction: 'egress',
      kustomization: 'components/otlp',
      peers: [],
      ports: [{ port: 4318, protocol: 'TCP' }],
      why: 'the OpenTelemetry collector (OTEL_EXPORTER_OTLP_ENDPOINT, OTLP over HTTP on port 4318).',
    });
  }
  return allows;
}

export const serviceFeature: Feature = {
  name: 'service',
  summary: 'The Fastify 5 + TypeScript application: config, health, metrics, CRUD resource, security, graceful shutdown, tests.',
  applies: () => true,
  optionalFiles: {
    'src/db/pool.ts': postgres,
    'src/db/migrator.ts': postgres,
    'src/db/migrations.ts': postgres,
    'src/dev/embedded-postgres.ts': postgres,
    'src/migrate.ts': postgres,
    'src/items/postgres-repository.ts': postgres,
    'src/items/memory-repository.ts': memory,
    'src/redis.ts': redis,
    'src/sentry.ts': sentry,
    'src/instrumentation.ts': tracing,
    'test/global-setup.ts': (facts) => postgres(facts) || redis(facts),
    'test/database.test.ts': postgres,
    'test/migrator.test.ts': postgres,
    'test/memory-repository.test.ts': memory,
    'test/redis.test.ts': redis,
    'test/sentry.test.ts': sentry,
    'test/tracing.test.ts': tracing,
  },
  reads: [envSlot],
  contribute: ({ facts, part }) => [
    packageJsonSlot.of({
      scripts: scripts(facts),
      dependencies: dependencies(facts),
      devDependencies: devDependencies(facts),
      // Vitest's vite, pinned: vite 8.4.0 adds an optional dependency that npm install may leave out of the
      // lockfile, after which npm ci refuses the lockfile (EUSAGE, "Missing ... from lock file").
      fields: { overrides: pinned('vite') },
    }),
    ciJobsSlot.of(serviceCiJob(facts)),
    envSlot.of(...serviceEnv(facts)),
    commandsSlot.of(
      { script: 'dev', description: `Run the service from source with reload on change${postgres(facts) ? ' (embedded PostgreSQL when DATABASE_URL is unset)' : ''}.` },
      { script: 'test', description: 'Run the tests with coverage thresholds.' },
      { script: 'lint', description: 'Lint with ESLint and type-aware typescript-eslint rules.' },
      { script: 'typecheck', description: 'Type-check sources and tests (strict).' },
      { script: 'build', description: 'Compile to dist/.' },
      { script: 'start', description: `Run the compiled service (dist/server.js)${tracing(facts) ? ' with OpenTelemetry loaded first' : ''}.` },
      ...(postgres(facts) ? [{ script: 'migrate', description: 'Apply pending database migrations (the same runs as node dist/migrate.js in production).' }] : []),
    ),
    readmeSlot.of({ title: 'Run, test and build', body: part('readme-run.md'), order: 10 }),
    gitignoreSlot.of(...(postgres(facts) ? ['.data/'] : [])),
    networkPolicySlot.of(...networkAllows(facts)),
    adrsSlot.of(...serviceAdrs(facts)),
    checklistSlot.of(...serviceChecklist(facts)),
    docsSlot.of(
      { page: 'docs/api.md', title: 'Versioning', order: 10, body: part('api-versioning.md') },
      { page: 'docs/api.md', title: 'What counts as a breaking change', order: 20, body: part('api-breaking.md') },
      { page: 'docs/api.md', title: 'Deprecation', order: 30, body: part('api-deprecation.md') },
    ),
    alertsSlot.of(...serviceAlerts(facts)),
    recordingRulesSlot.of(...(facts.hasObservability ? sliRecordingRules(facts) : [])),
  ],
};
