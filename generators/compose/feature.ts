/**
 * Docker Compose: compose.yaml for local development and, when the service
 * runs on Compose in production, compose.production.yaml behind a Caddy edge
 * proxy (Caddyfile).
 *
 * The compose files are built here as data and serialized, so they are valid
 * YAML by construction; their environment comes from every feature's
 * declared variables (the env slot), never from a list kept here.
 */
import type { Facts } from '../core/facts.ts';
import type { Feature } from '../core/feature.ts';
import { adrsSlot, checklistSlot, ciJobsSlot, docsSlot, envSlot, readmeSlot, type EnvVar } from '../core/slots.ts';
import { composeAdr } from './adr.ts';
import { composeCiJobs } from './ci-jobs.ts';
import { pinnedImage } from '../core/versions.ts';
import { yamlFile } from '../core/yaml-text.ts';
import { composeServicesSlot, type ComposeService } from './slots.ts';


/** A value Compose must not interpolate: `$` is written `$$`. */
const literal = (value: string) => value.replaceAll('$', () => '$$');

/** Exec-form probe of one of the app's endpoints with Node's fetch (the image has no curl). */
function httpProbe(facts: Facts, path: string): string[] {
  return [
    'CMD',
    'node',
    '-e',
    `fetch('http://127.0.0.1:${facts.appPort}${path}', { signal: AbortSignal.timeout(4000) }).then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))`,
  ];
}

const rotatedLogs = { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '5' } };
const hardened = { read_only: true, cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'] };
const tmp = (size: string) => ({ tmpfs: [`/tmp:size=${size},mode=1777`] });

/** Password of the development database: it listens on 127.0.0.1 only and holds no real data. */
const LOCAL_DATABASE_PASSWORD = 'local-development-only';

/**
 * Values the Compose topology decides (service names, ports, the mode);
 * everything else comes from the variable's declaration.
 */
function topologyEnv(facts: Facts, mode: 'development' | 'production'): Record<string, string> {
  const fixed: Record<string, string> = { NODE_ENV: mode, HOST: '0.0.0.0', PORT: String(facts.appPort) };
  if (mode === 'development') {
    const database = facts.databaseName;
    if (facts.hasPostgres) fixed.DATABASE_URL = `postgres://${database}:${LOCAL_DATABASE_PASSWORD}@postgres:5432/${database}`;
    if (facts.hasRedis) fixed.REDIS_URL = 'redis://redis:6379';
  }
  return fixed;
}

/**
 * The development environment of the app, one entry per declared variable:
 * the topology's value, else `${NAME:-default}` (overridable from the shell or
 * .env), else the example of a required non-secret variable, else passed
 * through from the shell or .env only when set there (value left empty).
 */
export function developmentEnvironment(facts: Facts, env: readonly EnvVar[]): Record<string, string | null> {
  const fixed = topologyEnv(facts, 'development');
  const result: Record<string, string | null> = {};
  for (const variable of env) {
    const value = fixed[variable.name];
    if (value !== undefined) result[variable.name] = literal(value);
    else if (variable.default !== undefined) result[variable.name] = `\${${variable.name}:-${literal(variable.default)}}`;
    else if (variable.required && !variable.secret && variable.example !== undefined) result[variable.name] = `\${${variable.name}:-${literal(variable.example)}}`;
    else if (variable.required) throw new Error(`compose.yaml: ${variable.name} is required and has no safe local value (add a default or a non-secret example)`);
    else result[variable.name] = null;
  }
  for (const name of Object.keys(fixed)) {
    if (!(name in result)) throw new Error(`compose.yaml sets ${name}, which no feature declares`);
  }
  return result;
}

export function developmentCompose(facts: Facts, env: readonly EnvVar[]): Record<string, unknown> {
  const database = facts.databaseName;
  const dependsOn: Record<string, unknown> = {};
  if (facts.hasPostgres) dependsOn.postgres = { condition: 'service_healthy' };
  if (facts.hasRedis) dependsOn.redis = { condition: 'service_healthy' };
  const services: Record<string, unknown> = {
    app: {
      build: { context: '.', target: 'dev' },
      init: true,
      ports: [`127.0.0.1:${facts.appPort}:${facts.appPort}`],
      environment: developmentEnvironment(facts, env),
      volumes: [{ type: 'bind', source: './src', target: '/app/src', read_only: true }],
      ...(Object.keys(dependsOn).length > 0 ? { depends_on: dependsOn } : {}),
      healthcheck: { test: httpProbe(facts, facts.paths.readiness), interval: '10s', timeout: '5s', retries: 5, start_period: '30s' },
    },
  };
  if (facts.hasPostgres) {
    services.postgres = {
      image: pinnedImage('postgres'),
      environment: { POSTGRES_USER: database, POSTGRES_PASSWORD: LOCAL_DATABASE_PASSWORD, POSTGRES_DB: database },
      ports: ['127.0.0.1:5432:5432'],
      volumes: [{ type: 'volume', source: 'postgres-data', target: '/var/lib/postgresql/data' }],
      healthcheck: { test: ['CMD', 'pg_isready', '--username', database, '--dbname', database], interval: '5s', timeout: '5s', retries: 10, start_period: '10s' },
    };
  }
  if (facts.hasRedis) {
    services.redis = {
      image: pinnedImage('redis'),
      command: ['redis-server', '--save', '', '--appendonly', 'no'],
      ports: ['127.0.0.1:6379:6379'],
      healthcheck: { test: ['CMD', 'redis-cli', 'ping'], interval: '5s', timeout: '5s', retries: 10 },
    };
  }
  return {
    name: facts.name,
    services,
    ...(facts.hasPostgres ? { volumes: { 'postgres-data': {} } } : {}),
  };
}

/**
 * The production environment of the app: the topology's values, Redis on the
 * bundled service unless REDIS_URL says otherwise, and every required variable
 * as `${NAME:?...}`, so `docker compose up` stops before starting anything when
 * one is missing. The rest comes from .env.production (env_file) or defaults.
 */
export function productionEnvironment(facts: Facts, env: readonly EnvVar[]): Record<string, string> {
  const fixed = topologyEnv(facts, 'production');
  const result: Record<string, string> = {};
  for (const variable of env) {
    const value = fixed[variable.name];
    if (value !== undefined) result[variable.name] = literal(value);
    else if (variable.name === 'REDIS_URL' && facts.hasRedis) result[variable.name] = '${REDIS_URL:-redis://redis:6379}';
    else if (variable.required) result[variable.name] = `\${${variable.name}:?Set ${variable.name} in .env.production}`;
  }
  for (const name of Object.keys(fixed)) {
    if (!(name in result)) throw new Error(`compose.production.yaml sets ${name}, which no feature declares`);
  }
  return result;
}

/** What .env.production must set: the interpolated names of compose.production.yaml. */
export function productionVariables(facts: Facts, env: readonly EnvVar[]): string[] {
  const required = Object.entries(productionEnvironment(facts, env))
    .filter(([, value]) => value.includes(':?'))
    .map(([name]) => name);
  return ['TAG', 'DOMAIN', 'ACME_EMAIL', ...required];
}

export function productionCompose(facts: Facts, env: readonly EnvVar[], contributed: readonly ComposeService[] = []): Record<string, unknown> {
    const database = facts.databaseName;
  const fixed = topologyEnv(facts, 'production');
  const appImage = `\${IMAGE:-${facts.image}}:\${TAG:?Set TAG in .env.production to the image tag to deploy}`;
  const envFile = [{ path: '.env.production', required: true }];
  const appEnvironment = productionEnvironment(facts, env);
  const appDependsOn: Record<string, unknown> = {};
  if (facts.hasPostgres) appDependsOn.migrate = { condition: 'service_completed_successfully' };
  if (facts.hasRedis) appDependsOn.redis = { condition: 'service_healthy' };

  const services: Record<string, unknown> = {
    caddy: {
      image: pinnedImage('caddy'),
      restart: 'unless-stopped',
      ports: ['80:80', '443:443', '443:443/udp'],
      environment: {
        DOMAIN: '${DOMAIN:?Set DOMAIN to the public host name, e.g. api.example.com}',
        ACME_EMAIL: '${ACME_EMAIL:?Set ACME_EMAIL to the address certificate authorities may write to}',
      },
      volumes: [
        { type: 'bind', source: './Caddyfile', target: '/etc/caddy/Caddyfile', read_only: true },
        { type: 'volume', source: 'caddy-data', target: '/data' },
        { type: 'volume', source: 'caddy-config', target: '/config' },
      ],
      ...hardened,
      cap_add: ['NET_BIND_SERVICE'],
      ...tmp('16m'),
      networks: ['public'],
      depends_on: { app: { condition: 'service_healthy' } },
      healthcheck: { test: ['CMD', 'wget', '--quiet', '--tries=1', '--output-document=/dev/null', 'http://127.0.0.1:2019/config/'], interval: '30s', timeout: '5s', retries: 3, start_period: '10s' },
      deploy: { resources: { limits: { cpus: '0.50', memory: '256M' } } },
      logging: rotatedLogs,
    },
    app: {
      image: appImage,
      restart: 'unless-stopped',
      user: facts.appUser,
      ...hardened,
      ...tmp('64m'),
      env_file: envFile,
      environment: appEnvironment,
      networks: ['public', 'internal'],
      ...(Object.keys(appDependsOn).length > 0 ? { depends_on: appDependsOn } : {}),
      healthcheck: { test: httpProbe(facts, facts.paths.readiness), interval: '10s', timeout: '5s', retries: 3, start_period: '30s' },
      // Longer than SHUTDOWN_TIMEOUT_MS, so the app always finishes its own shutdown.
      stop_grace_period: '30s',
      deploy: { resources: { limits: { cpus: '1.00', memory: '512M' }, reservations: { memory: '256M' } } },
      logging: rotatedLogs,
    },
  };
  if (facts.hasPostgres) {
    services.migrate = {
      image: appImage,
      command: ['node', 'dist/migrate.js'],
      restart: 'no',
      user: facts.appUser,
      ...hardened,
      ...tmp('16m'),
      env_file: envFile,
      environment: { NODE_ENV: fixed.NODE_ENV, DATABASE_URL: appEnvironment.DATABASE_URL },
      networks: ['public', 'internal'],
      // With an external database the bundled one is not started; the dependency then does not apply.
      depends_on: { postgres: { condition: 'service_healthy', required: false } },
      deploy: { resources: { limits: { cpus: '0.50', memory: '256M' } } },
      logging: rotatedLogs,
    };
    services.postgres = {
      image: pinnedImage('postgres'),
      profiles: ['postgres'],
      restart: 'unless-stopped',
      // The image's postgres user; the data volume is initialised from the image with that owner.
      user: '70:70',
      ...hardened,
      tmpfs: ['/tmp:size=64m,mode=1777', '/var/run/postgresql:size=1m,mode=1777'],
      shm_size: '256m',
      env_file: [{ path: '.env.postgres', required: false }],
      environment: { POSTGRES_USER: database, POSTGRES_DB: database },
      volumes: [{ type: 'volume', source: 'postgres-data', target: '/var/lib/postgresql/data' }],
      networks: ['internal'],
      healthcheck: { test: ['CMD', 'pg_isready', '--username', database, '--dbname', database], interval: '10s', timeout: '5s', retries: 5, start_period: '30s' },
      stop_grace_period: '60s',
      deploy: { resources: { limits: { cpus: '1.00', memory: '1G' } } },
      logging: rotatedLogs,
    };
  }
  if (facts.hasRedis) {
    services.redis = {
      image: pinnedImage('redis'),
      // A cache for rate-limit counters: nothing to persist, bounded memory.
      command: ['redis-server', '--save', '', '--appendonly', 'no', '--maxmemory', '192mb', '--maxmemory-policy', 'volatile-ttl'],
      restart: 'unless-stopped',
      user: '999:1000',
      ...hardened,
      ...tmp('16m'),
      networks: ['internal'],
      healthcheck: { test: ['CMD', 'redis-cli', 'ping'], interval: '10s', timeout: '5s', retries: 5, start_period: '10s' },
      deploy: { resources: { limits: { cpus: '0.50', memory: '256M' } } },
      logging: rotatedLogs,
    };
  }
  for (const { name, service, profiles } of contributed) {
    if (name in services) throw new Error(`compose.production.yaml: service ${name} is contributed but the compose feature defines it`);
    services[name] = { ...service, ...(profiles ? { profiles } : {}) };
  }
  return {
    name: facts.name,
    services,
    networks: { public: {}, internal: { internal: true } },
    volumes: {
      ...(facts.hasPostgres ? { 'postgres-data': {} } : {}),
      'caddy-data': {},
      'caddy-config': {},
      ...Object.fromEntries(contributed.flatMap((service) => service.volumes ?? []).map((volume) => [volume, {}])),
    },
  };
}

/**
 * A compose file: without anchors (each service spelled out), variables passed
 * through as empty values, and strings that YAML 1.1 readers take for booleans
 * ("no", "on") quoted, so it reads back as the same data under YAML 1.1 and 1.2
 * (test/yaml-text.test.ts reads every rendered compose file both ways).
 */
export function composeYaml(header: string, document: Record<string, unknown>): string {
  return yamlFile(header, [document], { yaml11: true, emptyNull: true });
}

export const composeFeature: Feature = {
  name: 'compose',
  summary: 'compose.yaml for development; with --deploy compose|both, compose.production.yaml behind Caddy with automatic HTTPS.',
  applies: () => true,
  optionalFiles: { Caddyfile: (facts) => facts.deploysWithCompose, 'scripts/deploy-compose.sh': (facts) => facts.deploysWithCompose },
  reads: [envSlot, composeServicesSlot],
  contribute: ({ facts, part }) => [
    readmeSlot.of(
      { title: 'Local development with Docker Compose', order: 31, body: part('readme-development.md') },
      ...(facts.deploysWithCompose ? [{ title: 'Production with Docker Compose', order: 32, body: part('readme-production.md') }] : []),
    ),
    ...(facts.deploysWithCompose ? [ciJobsSlot.of(...composeCiJobs(facts))] : []),
    ...(facts.deploysWithCompose
      ? [
          adrsSlot.of(composeAdr(facts)),
          checklistSlot.of(
            {
              id: 'compose-https-edge',
              category: 'A04',
              asvs: ['V12.2.1', 'V12.2.2'],
              text: 'Caddy serves HTTPS only, with publicly trusted certificates it obtains and renews itself, redirects HTTP to HTTPS and keeps /metrics off the internet.',
              implementedBy: { file: 'Caddyfile' },
            },
            {
              id: 'compose-hardened-services',
              category: 'A02',
              asvs: ['V13.2.2'],
              text: 'In production every service runs with a read-only root filesystem, all Linux capabilities dropped and no-new-privileges; only Caddy publishes ports.',
              implementedBy: { file: 'compose.production.yaml' },
            },
          ),
          docsSlot.of({
            page: 'docs/security-checklist.md',
            title: 'Go-live: Docker Compose',
            order: 20,
            body: '- `DOMAIN` in `.env.production`: the public host name Caddy obtains a certificate for.\n- `ACME_EMAIL` in `.env.production`: the address the certificate authority writes to about expiring or revoked certificates.\n- `TAG` in `.env.production`: the released image tag to run.',
          }),
        ]
      : []),
  ],
  files: (facts, assembled) => {
    const env = assembled.get(envSlot);
    const files: Record<string, string> = {
      'compose.yaml': composeYaml(
        `Local development: docker compose up --build --wait\nThe app runs npm run dev with ./src mounted; ports listen on 127.0.0.1 only.`,
        developmentCompose(facts, env),
      ),
    };
    if (facts.deploysWithCompose) {
      files['compose.production.yaml'] = composeYaml(
        [
          'Production on one host (README.md, "Production with Docker Compose"):',
          '  docker compose --env-file .env.production -f compose.production.yaml up -d --wait',
          `.env.production must set: ${productionVariables(facts, env).join(', ')}.`,
        ].join('\n'),
        productionCompose(facts, env, assembled.get(composeServicesSlot)),
      );
    }
    return files;
  },
};
