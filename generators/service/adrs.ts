/**
 * The decisions the service's options made, as MADR 4.0 records for the adrs
 * slot: runtime and framework always; storage, rate-limit store, error
 * tracking and tracing only for what was chosen.
 */
import type { Facts } from '../core/facts.ts';
import type { Adr } from '../core/slots.ts';
import versions from '../core/versions.json' with { type: 'json' };

const major = (version: string) => version.split('.')[0];

function runtimeAdr(facts: Facts): Adr {
  const node = versions.node.major;
  const fastify = major(versions.npm.fastify);
  return {
    slug: 'nodejs-fastify-typescript',
    title: `Build the service on Node.js ${node}, Fastify ${fastify} and TypeScript`,
    status: 'accepted',
    order: 10,
    context: `${facts.title} is an HTTP JSON API. It needs a runtime with long-term support, a framework that validates requests and serializes responses from schemas (which also give the OpenAPI document), and static types across handlers, configuration and tests.`,
    drivers: [
      'Long-term support and security fixes for the runtime.',
      'Request validation and response serialization from one schema per route.',
      'Low per-request overhead and first-class structured logging.',
      'Static type checking of sources and tests.',
    ],
    options: [
      {
        title: `Node.js ${node} with Fastify ${fastify} and TypeScript`,
        pros: [
          'JSON schemas per route validate input (unknown fields are rejected, not stripped) and generate the OpenAPI document.',
          'Pino logging, hooks and plugin encapsulation are built in.',
          `Node.js ${node} runs TypeScript sources directly by type stripping, so development needs no build step.`,
        ],
        cons: ['A smaller plugin ecosystem than Express.', 'Type stripping forbids TypeScript features that need code generation (enums, namespaces).'],
      },
      {
        title: 'Node.js with Express',
        pros: ['The most widely known Node.js framework.'],
        cons: ['No schema validation or serialization: each route adds its own.', 'Slower request handling and no built-in logger.'],
      },
      {
        title: 'Go with the standard library',
        pros: ['One static binary and a small image.'],
        cons: ['A different language from the JavaScript tooling the team uses.', 'Validation and OpenAPI need extra libraries or code generation.'],
      },
    ],
    outcome: {
      chosen: `Node.js ${node} with Fastify ${fastify} and TypeScript`,
      because: 'it validates and documents every route from one schema, is fast, and keeps one language for the service, its tests and its tooling.',
    },
    consequences: {
      good: ['Invalid requests are rejected with 400 before a handler runs.', '`/openapi.json` always matches the routes.'],
      bad: [`Upgrading across Node.js or Fastify majors is a planned change; \`.nvmrc\` and \`engines\` pin the runtime.`],
    },
    confirmation: '`npm run typecheck`, `npm run lint` and `npm test` pass before every merge; `.nvmrc`, `engines` and the digest-pinned base image of the Dockerfile name the same Node.js major.',
  };
}

function postgresAdr(facts: Facts): Adr {
  return {
    slug: 'postgresql-with-sql-migrations',
    title: 'Store data in PostgreSQL with forward-only SQL migrations',
    status: 'accepted',
    order: 11,
    context: `${facts.title} keeps its items durably and must run several replicas against the same data. The schema changes over time, and every change must be applied once, in order, before the new code serves traffic.`,
    drivers: ['Durable, transactional storage shared by all replicas.', 'Unique constraints enforced by the database.', 'Schema changes reviewed as plain SQL and applied exactly once.', 'Tests against a real database engine.'],
    options: [
      {
        title: 'PostgreSQL with SQL migrations applied by the service\'s migrator',
        pros: ['Transactions, constraints and a mature backup story.', 'Migrations are plain SQL, run in order under an advisory lock, and recorded in a table.', 'Tests run against an embedded PostgreSQL engine.'],
        cons: ['Migrations must stay backwards compatible with the running version during a rollout.'],
      },
      {
        title: 'PostgreSQL through an ORM with generated migrations',
        pros: ['Models and queries in TypeScript.'],
        cons: ['Generated SQL is harder to review; another large dependency.'],
      },
      {
        title: 'A document store',
        pros: ['No schema migrations for new fields.'],
        cons: ['Uniqueness and consistency move into application code.'],
      },
    ],
    outcome: {
      chosen: 'PostgreSQL with SQL migrations applied by the service\'s migrator',
      because: 'it gives transactions and constraints, keeps every schema change reviewable as SQL, and needs no ORM.',
    },
    consequences: {
      good: ['Every query is parameterised; the database enforces unique names.', '`npm run migrate` (and `node dist/migrate.js` in production) applies pending migrations before a rollout.'],
      bad: ['A migration that breaks the running version needs the expand-and-contract pattern over two releases.'],
    },
    confirmation: 'The migrator and database tests in `npm test` run against PostgreSQL (an embedded server when DATABASE_URL is unset); applied migrations are recorded in the migrations table.',
  };
}

function memoryAdr(facts: Facts): Adr {
  return {
    slug: 'in-memory-store',
    title: 'Keep the example resource in process memory',
    status: 'accepted',
    order: 11,
    context: `${facts.title} was created without a database. The example resource still needs a store behind the same repository interface a database would implement.`,
    drivers: ['No infrastructure to run for the first version.', 'Memory must stay bounded.', 'A database can replace the store without changing the routes.'],
    options: [
      {
        title: 'A bounded in-memory repository',
        pros: ['Nothing to operate.', 'The repository interface is the one a database implementation fills in.'],
        cons: ['Data is lost on restart and is not shared between replicas.'],
      },
      {
        title: 'PostgreSQL from the start',
        pros: ['Durable and shared between replicas.'],
        cons: ['A database to run, migrate and back up before it is needed.'],
      },
    ],
    outcome: { chosen: 'A bounded in-memory repository', because: 'the service needs no durable data yet, and the repository interface keeps the later move to a database local.' },
    consequences: {
      good: ['The service starts with no dependencies.', 'ITEMS_MEMORY_LIMIT bounds memory; creating more items answers 507.'],
      bad: ['Each replica has its own data: run one replica, or add a database before relying on the data.'],
    },
    confirmation: 'The memory repository tests in `npm test` cover the limit and the unique-name rule.',
  };
}

function redisAdr(facts: Facts): Adr {
  return {
    slug: 'redis-rate-limit-store',
    title: 'Share rate limits between replicas in Redis',
    status: 'accepted',
    order: 12,
    context: `${facts.title} runs several replicas behind a load balancer. A per-process rate limit lets a client make the limit times the number of replicas; the limit must hold for the whole service.`,
    drivers: ['One limit per client across all replicas.', 'Atomic counting without races.', 'The service keeps working when the store is briefly unavailable.'],
    options: [
      {
        title: 'Redis with an atomic Lua counter',
        pros: ['One round trip per request; counters expire by themselves.', '`/health` reports Redis, so a broken store is visible.'],
        cons: ['One more stateful component to run and secure.'],
      },
      {
        title: 'Per-process counters',
        pros: ['No dependency.'],
        cons: ['The effective limit grows with the number of replicas.'],
      },
      {
        title: 'Rate limiting at the ingress or API gateway only',
        pros: ['No application code.'],
        cons: ['Depends on the gateway product; the service has no limit of its own when reached directly.'],
      },
    ],
    outcome: { chosen: 'Redis with an atomic Lua counter', because: 'it keeps one limit per client whatever the number of replicas, with one atomic round trip per request.' },
    consequences: {
      good: ['RATE_LIMIT_MAX means the same with one replica or ten.'],
      bad: ['REDIS_URL is a secret to provision per environment.', 'While Redis is unreachable the service stays ready and lets requests through (reported as degraded), so no limit applies until it returns.'],
    },
    confirmation: 'The Redis tests in `npm test` run against a real Redis server: counters are shared between two app instances, and an outage degrades the service instead of stopping it.',
  };
}

function sentryAdr(facts: Facts): Adr {
  return {
    slug: 'sentry-error-tracking',
    title: 'Report unexpected errors to Sentry',
    status: 'accepted',
    order: 13,
    context: `Server errors of ${facts.title} are logged, but logs alone do not group them, count them per release or notify anyone. Reporting must not leak request data and must be off unless configured.`,
    drivers: ['Grouping and alerting on new errors per release.', 'No personal data or secrets in reports.', 'No effect when not configured.'],
    options: [
      {
        title: 'Sentry through @sentry/node',
        pros: ['Grouping, release tracking and notifications without running anything.', 'Off unless SENTRY_DSN is set.'],
        cons: ['Error data leaves the infrastructure to the Sentry service (or a self-hosted one).'],
      },
      {
        title: 'Logs and log-based alerts only',
        pros: ['No extra service or dependency.'],
        cons: ['No grouping or per-release view of errors.'],
      },
    ],
    outcome: { chosen: 'Sentry through @sentry/node', because: 'it groups and notifies on server errors per release with one optional setting.' },
    consequences: { good: ['Only server errors are reported; client errors (4xx) are not.'], bad: ['SENTRY_DSN is a secret to provision per environment.'] },
    confirmation: 'The Sentry tests in `npm test` prove that reporting stays off without SENTRY_DSN and that events carry the release and environment with credentials, cookies, query strings, bodies and the user IP removed.',
  };
}

function tracingAdr(facts: Facts): Adr {
  return {
    slug: 'opentelemetry-tracing',
    title: 'Trace requests with OpenTelemetry over OTLP',
    status: 'accepted',
    order: 14,
    context: `${facts.title} calls its dependencies on every request. Finding where the time of a slow request goes needs traces that follow it through the HTTP server and its clients, in a vendor-neutral format.`,
    drivers: ['Vendor-neutral instrumentation and export.', 'Automatic spans for HTTP, Fastify and the database or cache clients.', 'Off unless an endpoint is configured.'],
    options: [
      {
        title: 'OpenTelemetry SDK exporting OTLP over HTTP',
        pros: ['Any collector or tracing backend accepts OTLP.', 'Standard OTEL_* variables configure sampling and resources.'],
        cons: ['The SDK must load before the application (`node --import ./dist/instrumentation.js`).'],
      },
      {
        title: 'A vendor agent',
        pros: ['Setup in one package.'],
        cons: ['Ties the instrumentation to one backend.'],
      },
    ],
    outcome: { chosen: 'OpenTelemetry SDK exporting OTLP over HTTP', because: 'it is vendor-neutral and instruments the server and its clients automatically.' },
    consequences: { good: ['Spans cover the HTTP server, the Fastify routes and the database and cache clients the service uses.'], bad: ['An OpenTelemetry collector must be reachable at OTEL_EXPORTER_OTLP_ENDPOINT.'] },
    confirmation: 'The tracing tests in `npm test` receive the spans of instrumented requests over OTLP and check that they are flushed on SIGTERM.',
  };
}

/** The service's decision records for the chosen options (orders 10–14). */
export function serviceAdrs(facts: Facts): Adr[] {
  return [
    runtimeAdr(facts),
    facts.hasPostgres ? postgresAdr(facts) : memoryAdr(facts),
    ...(facts.hasRedis ? [redisAdr(facts)] : []),
    ...(facts.hasSentry ? [sentryAdr(facts)] : []),
    ...(facts.hasTracing ? [tracingAdr(facts)] : []),
  ];
}
