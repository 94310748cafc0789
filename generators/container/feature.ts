/**
 * The container: a multi-stage Dockerfile and its .dockerignore, compose.yaml
 * for local development, and (when the service runs on Docker Compose in
 * production) compose.production.yaml with a Caddy edge proxy.
 *
 * The compose files are built here as data and serialized, so they are valid
 * YAML by construction; their environment comes from every feature's
 * declared variables (the assembly), never from a list kept here.
 */
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'yaml';
import type { Assembled, EnvVar, Feature, ReadmeSection } from '../core/feature.ts';
import type { Answers } from '../core/options.ts';
import { deriveProject } from '../core/project.ts';
import versions from '../core/versions.json' with { type: 'json' };

type ImageName = keyof typeof versions.images;

/** An image reference pinned by tag and digest, from versions.json. */
export function pinnedImage(name: ImageName): string {
  const image = versions.images[name];
  return `${image.name}:${image.tag}@${image.digest}`;
}

/** The app's port inside every container; the Caddyfile proxies to it. */
export const APP_PORT = 3000;
/** UID:GID of the runtime image's USER, of compose and of Kubernetes runAsUser/runAsGroup. */
export const APP_USER = '10001:10001';

const postgres = (answers: Answers) => answers.database === 'postgres';
const redis = (answers: Answers) => answers.cache === 'redis';
/** compose.production.yaml and the Caddyfile exist only when Compose is a production target. */
export const composeInProduction = (answers: Answers) => answers.deploy !== 'kubernetes';

/** Database, role and schema owner of the bundled Postgres: the project name as an SQL identifier. */
const databaseName = (answers: Answers) => answers.name.replaceAll('-', '_');

/** A value Compose must not interpolate: `$` is written `$$`. */
const literal = (value: string) => value.replaceAll('$', () => '$$');

/** Exec-form probe of one of the app's endpoints with Node's fetch (the image has no curl). */
function httpProbe(path: string): string[] {
  return [
    'CMD',
    'node',
    '-e',
    `fetch('http://127.0.0.1:${APP_PORT}${path}', { signal: AbortSignal.timeout(4000) }).then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))`,
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
function topologyEnv(answers: Answers, mode: 'development' | 'production'): Record<string, string> {
  const fixed: Record<string, string> = { NODE_ENV: mode, HOST: '0.0.0.0', PORT: String(APP_PORT) };
  if (mode === 'development') {
    const database = databaseName(answers);
    if (postgres(answers)) fixed.DATABASE_URL = `postgres://${database}:${LOCAL_DATABASE_PASSWORD}@postgres:5432/${database}`;
    if (redis(answers)) fixed.REDIS_URL = 'redis://redis:6379';
  }
  return fixed;
}

/**
 * The development environment of the app, one entry per declared variable:
 * the topology's value, else `${NAME:-default}` (overridable from the shell or
 * .env), else the example of a required non-secret variable, else passed
 * through from the shell or .env only when set there (value left empty).
 */
export function developmentEnvironment(answers: Answers, env: readonly EnvVar[]): Record<string, string | null> {
  const fixed = topologyEnv(answers, 'development');
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

export function developmentCompose(answers: Answers, env: readonly EnvVar[]): Record<string, unknown> {
  const database = databaseName(answers);
  const dependsOn: Record<string, unknown> = {};
  if (postgres(answers)) dependsOn.postgres = { condition: 'service_healthy' };
  if (redis(answers)) dependsOn.redis = { condition: 'service_healthy' };
  const services: Record<string, unknown> = {
    app: {
      build: { context: '.', target: 'dev' },
      init: true,
      ports: [`127.0.0.1:${APP_PORT}:${APP_PORT}`],
      environment: developmentEnvironment(answers, env),
      volumes: [{ type: 'bind', source: './src', target: '/app/src', read_only: true }],
      ...(Object.keys(dependsOn).length > 0 ? { depends_on: dependsOn } : {}),
      healthcheck: { test: httpProbe('/readyz'), interval: '10s', timeout: '5s', retries: 5, start_period: '30s' },
    },
  };
  if (postgres(answers)) {
    services.postgres = {
      image: pinnedImage('postgres'),
      environment: { POSTGRES_USER: database, POSTGRES_PASSWORD: LOCAL_DATABASE_PASSWORD, POSTGRES_DB: database },
      ports: ['127.0.0.1:5432:5432'],
      volumes: [{ type: 'volume', source: 'postgres-data', target: '/var/lib/postgresql/data' }],
      healthcheck: { test: ['CMD', 'pg_isready', '--username', database, '--dbname', database], interval: '5s', timeout: '5s', retries: 10, start_period: '10s' },
    };
  }
  if (redis(answers)) {
    services.redis = {
      image: pinnedImage('redis'),
      command: ['redis-server', '--save', '', '--appendonly', 'no'],
      ports: ['127.0.0.1:6379:6379'],
      healthcheck: { test: ['CMD', 'redis-cli', 'ping'], interval: '5s', timeout: '5s', retries: 10 },
    };
  }
  return {
    name: answers.name,
    services,
    ...(postgres(answers) ? { volumes: { 'postgres-data': {} } } : {}),
  };
}

/**
 * The production environment of the app: the topology's values, Redis on the
 * bundled service unless REDIS_URL says otherwise, and every required variable
 * as `${NAME:?...}`, so `docker compose up` stops before starting anything when
 * one is missing. The rest comes from .env.production (env_file) or defaults.
 */
export function productionEnvironment(answers: Answers, env: readonly EnvVar[]): Record<string, string> {
  const fixed = topologyEnv(answers, 'production');
  const result: Record<string, string> = {};
  for (const variable of env) {
    const value = fixed[variable.name];
    if (value !== undefined) result[variable.name] = literal(value);
    else if (variable.name === 'REDIS_URL' && redis(answers)) result[variable.name] = '${REDIS_URL:-redis://redis:6379}';
    else if (variable.required) result[variable.name] = `\${${variable.name}:?Set ${variable.name} in .env.production}`;
  }
  for (const name of Object.keys(fixed)) {
    if (!(name in result)) throw new Error(`compose.production.yaml sets ${name}, which no feature declares`);
  }
  return result;
}

/** What .env.production must set: the interpolated names of compose.production.yaml. */
export function productionVariables(answers: Answers, env: readonly EnvVar[]): string[] {
  const required = Object.entries(productionEnvironment(answers, env))
    .filter(([, value]) => value.includes(':?'))
    .map(([name]) => name);
  return ['TAG', 'DOMAIN', 'ACME_EMAIL', ...required];
}

export function productionCompose(answers: Answers, env: readonly EnvVar[]): Record<string, unknown> {
  const project = deriveProject(answers);
  const database = databaseName(answers);
  const fixed = topologyEnv(answers, 'production');
  const appImage = `\${IMAGE:-${project.image}}:\${TAG:?Set TAG in .env.production to the image tag to deploy}`;
  const envFile = [{ path: '.env.production', required: true }];
  const appEnvironment = productionEnvironment(answers, env);
  const appDependsOn: Record<string, unknown> = {};
  if (postgres(answers)) appDependsOn.migrate = { condition: 'service_completed_successfully' };
  if (redis(answers)) appDependsOn.redis = { condition: 'service_healthy' };

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
      user: APP_USER,
      ...hardened,
      ...tmp('64m'),
      env_file: envFile,
      environment: appEnvironment,
      networks: ['public', 'internal'],
      ...(Object.keys(appDependsOn).length > 0 ? { depends_on: appDependsOn } : {}),
      healthcheck: { test: httpProbe('/readyz'), interval: '10s', timeout: '5s', retries: 3, start_period: '30s' },
      // Longer than SHUTDOWN_TIMEOUT_MS, so the app always finishes its own shutdown.
      stop_grace_period: '30s',
      deploy: { resources: { limits: { cpus: '1.00', memory: '512M' }, reservations: { memory: '256M' } } },
      logging: rotatedLogs,
    },
  };
  if (postgres(answers)) {
    services.migrate = {
      image: appImage,
      command: ['node', 'dist/migrate.js'],
      restart: 'no',
      user: APP_USER,
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
  if (redis(answers)) {
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
  return {
    name: answers.name,
    services,
    networks: { public: {}, internal: { internal: true } },
    volumes: {
      ...(postgres(answers) ? { 'postgres-data': {} } : {}),
      'caddy-data': {},
      'caddy-config': {},
    },
  };
}

/**
 * Serialized without anchors (each service spelled out) and without line
 * folding. Strings that YAML 1.1 readers take for booleans ("no", "on") are
 * quoted, and the text must read back as the same data under YAML 1.1 and 1.2.
 */
export function composeYaml(header: string, document: Record<string, unknown>): string {
  const comments = header
    .trim()
    .split('\n')
    .map((line) => (line === '' ? '#' : `# ${line}`))
    .join('\n');
  const body = stringify(document, { version: '1.1', aliasDuplicateObjects: false, lineWidth: 0, nullStr: '' });
  for (const version of ['1.1', '1.2'] as const) {
    if (!isDeepStrictEqual(parse(body, { version }), document)) throw new Error(`Compose document does not read back as written under YAML ${version}`);
  }
  return `${comments}\n${body}`;
}

function readme(answers: Answers): ReadmeSection[] {
  const project = deriveProject(answers);
  const sections: ReadmeSection[] = [
    {
      title: 'Container image',
      order: 30,
      body: [
        'The `Dockerfile` builds a small runtime image in stages: dependencies and the TypeScript build happen in throwaway stages, and the final image holds only `dist/`, the production dependencies and [tini](https://github.com/krallin/tini) as PID 1. It runs as the numeric non-root user `10001:10001`, with `NODE_ENV=production`, on a base image pinned by digest.',
        '',
        '```sh',
        `docker build -t ${project.image}:dev .`,
        `docker run --rm -p 3000:3000${postgres(answers) ? ' -e DATABASE_URL=postgres://...' : ''}${redis(answers) ? ' -e REDIS_URL=redis://...' : ''} ${project.image}:dev`,
        '```',
        '',
        'Build arguments fill the OCI labels; CI passes them:',
        '',
        '```sh',
        'docker build \\',
        '  --build-arg REVISION="$(git rev-parse HEAD)" \\',
        '  --build-arg CREATED="$(git log -1 --format=%cI)" \\',
        '  --build-arg VERSION="$(git describe --tags --always)" \\',
        `  -t ${project.image}:"$(git describe --tags --always)" .`,
        '```',
        '',
        'A private npm registry token is passed as a BuildKit secret, so it never lands in a layer: `docker build --secret id=npmrc,src=$HOME/.npmrc .`',
        '',
        'The image has a `HEALTHCHECK` on `/livez`. `.dockerignore` is an allowlist: only the files it names reach the build, so `.env*` files, `.git`, tests and local `node_modules` never do.',
      ].join('\n'),
    },
    {
      title: 'Local development with Docker Compose',
      order: 31,
      body: [
        `\`compose.yaml\` runs the development server (\`npm run dev\`, reloading on changes to \`src/\`)${postgres(answers) ? ' with PostgreSQL' : ''}${redis(answers) ? `${postgres(answers) ? ' and' : ' with'} Redis` : ''}, every port bound to 127.0.0.1 only:`,
        '',
        '```sh',
        'docker compose up --build --wait',
        'curl -s localhost:3000/readyz',
        'docker compose logs -f app',
        `docker compose down${postgres(answers) ? '            # add -v to delete the database volume' : ''}`,
        '```',
        '',
        'Settings come from the variables in `.env` or your shell, with local defaults; the service addresses inside the Compose network are fixed. After changing dependencies run `docker compose up --build` again.',
        ...(composeInProduction(answers) ? [] : ['', 'This file is for development only: production runs on Kubernetes, so there is no production Compose file.']),
      ].join('\n'),
    },
  ];
  if (composeInProduction(answers)) sections.push(productionReadme(answers));
  return sections;
}

function productionReadme(answers: Answers): ReadmeSection {
  const database = databaseName(answers);
  const lines = [
    '`compose.production.yaml` runs the released image on one host behind [Caddy](https://caddyserver.com), which obtains and renews TLS certificates for `DOMAIN`, redirects HTTP to HTTPS and adds security headers. Only Caddy publishes ports (80 and 443); the app runs read-only, as user `10001`, without Linux capabilities, with memory and CPU limits and rotated logs.',
    '',
    'Point the DNS record of your domain at the host, then write `.env.production` (kept out of git) next to the compose file. It needs `TAG` (the image tag to run), `DOMAIN`, `ACME_EMAIL` and the variables listed at the top of `compose.production.yaml`; Compose refuses to start while one is missing. Any other variable of the service may be set there too. Then:',
    '',
    '```sh',
    'docker compose --env-file .env.production -f compose.production.yaml up -d --wait',
    'docker compose --env-file .env.production -f compose.production.yaml ps',
    '```',
    '',
  ];
  if (postgres(answers)) {
    lines.push(
      'The `migrate` service applies database migrations (`node dist/migrate.js`) and the app starts only after it succeeded. `DATABASE_URL` points at your managed PostgreSQL; to run PostgreSQL on the same host instead, enable the `postgres` profile, put `POSTGRES_PASSWORD=...` in `.env.postgres` and use it in the URL:',
      '',
      '```sh',
      `# .env.production: DATABASE_URL=postgres://${database}:<password>@postgres:5432/${database}`,
      'docker compose --env-file .env.production -f compose.production.yaml --profile postgres up -d --wait',
      '```',
      '',
    );
  }
  if (redis(answers)) {
    lines.push('Redis runs beside the app as a memory-bounded cache without persistence; set `REDIS_URL` in `.env.production` to use an external one instead.', '');
  }
  lines.push(
    'To deploy a new version, change `TAG` and run the same `up -d --wait`: Compose replaces the containers whose image changed.',
  );
  return { title: 'Production with Docker Compose', order: 32, body: lines.join('\n') };
}

export const containerFeature: Feature = {
  name: 'container',
  summary: 'Dockerfile (multi-stage, non-root, pinned base), .dockerignore, compose.yaml for development, compose.production.yaml with Caddy.',
  applies: () => true,
  optionalFiles: { Caddyfile: composeInProduction },
  contribute: (answers) => ({ readme: readme(answers) }),
  dataFiles: (answers, assembled: Assembled) => {
    const files: Record<string, string> = {
      'compose.yaml': composeYaml(
        `Local development: docker compose up --build --wait\nThe app runs npm run dev with ./src mounted; ports listen on 127.0.0.1 only.`,
        developmentCompose(answers, assembled.env),
      ),
    };
    if (composeInProduction(answers)) {
      files['compose.production.yaml'] = composeYaml(
        [
          'Production on one host (README.md, "Production with Docker Compose"):',
          '  docker compose --env-file .env.production -f compose.production.yaml up -d --wait',
          `.env.production must set: ${productionVariables(answers, assembled.env).join(', ')}.`,
        ].join('\n'),
        productionCompose(answers, assembled.env),
      );
    }
    return files;
  },
};
