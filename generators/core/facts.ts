/**
 * Facts: everything features and templates need to know about a project,
 * derived once from the answers. Nothing outside this module compares raw
 * option values. Each fact names the options it derives from, so a feature
 * can only read the facts of options it is declared to read (see
 * `factsForFeature`).
 */
import type { AnswerName, Answers, License } from './options.ts';
import versions from './versions.json' with { type: 'json' };

interface FactDefinition<Value> {
  /** The options this fact is derived from; empty for constants of the generated project. */
  from: readonly AnswerName[];
  derive(answers: Answers): Value;
}

function fact<Value>(from: readonly AnswerName[], derive: (answers: Answers) => Value): FactDefinition<Value> {
  return { from, derive };
}

const REGISTRY_HOSTS: Record<string, string> = { ghcr: 'ghcr.io', dockerhub: 'docker.io' };
const ACRONYMS = new Set(['api', 'db', 'http', 'id', 'io', 'ui', 'sql', 'url']);
const registryHost = (answers: Answers) => REGISTRY_HOSTS[answers.registry] ?? answers.registry;

/** The app's HTTP port inside every container, Service and probe. */
const APP_PORT = 3000;
/** UID and GID of the image's USER, compose's `user:` and Kubernetes runAsUser/runAsGroup. */
const APP_UID = 10001;
const APP_GID = 10001;

const definitions = {
  /** Project name: npm package name and DNS-1123 label. */
  name: fact(['name'], (answers) => answers.name),
  /** Human title from the name, e.g. "Orders API". */
  title: fact(['name'], (answers) =>
    answers.name
      .split('-')
      .map((word) => (ACRONYMS.has(word) ? word.toUpperCase() : word.charAt(0).toUpperCase() + word.slice(1)))
      .join(' '),
  ),
  /** The project name as an SQL identifier: database, role and schema owner. */
  databaseName: fact(['name'], (answers) => answers.name.replaceAll('-', '_')),
  /** Kubernetes namespace of the service. */
  namespace: fact(['name'], (answers) => answers.name),
  description: fact(['description'], (answers) => answers.description),
  owner: fact(['owner'], (answers) => answers.owner),
  /** SPDX identifier, or UNLICENSED. */
  license: fact(['license'], (answers): License => answers.license),
  isProprietary: fact(['license'], (answers) => answers.license === 'UNLICENSED'),

  hasPostgres: fact(['database'], (answers) => answers.database === 'postgres'),
  /** The example resource is kept in process memory (no database). */
  hasMemoryStore: fact(['database'], (answers) => answers.database === 'none'),
  hasRedis: fact(['cache'], (answers) => answers.cache === 'redis'),
  hasSentry: fact(['sentry'], (answers) => answers.sentry),
  hasTracing: fact(['tracing'], (answers) => answers.tracing),

  usesGithubActions: fact(['ci'], (answers) => answers.ci === 'github'),
  usesGitlabCi: fact(['ci'], (answers) => answers.ci === 'gitlab'),
  /** Web address of the source repository (OCI source label, links). */
  sourceUrl: fact(['ci', 'owner', 'name'], (answers) => `https://${answers.ci === 'gitlab' ? 'gitlab.com' : 'github.com'}/${answers.owner}/${answers.name}`),

  deploysToKubernetes: fact(['deploy'], (answers) => answers.deploy !== 'compose'),
  /** compose.production.yaml and the Caddy proxy run production on one host. */
  deploysWithCompose: fact(['deploy'], (answers) => answers.deploy !== 'kubernetes'),

  hasObservability: fact(['observability'], (answers) => answers.observability),
  /** Availability objective in percent, e.g. 99.9. */
  sloPercent: fact(['slo'], (answers) => answers.slo),
  hasBackup: fact(['backup'], (answers) => answers.backup),
  hasLoadTest: fact(['loadTest'], (answers) => answers.loadTest),

  /** Registry host, e.g. ghcr.io. */
  registryHost: fact(['registry'], registryHost),
  /** Image repository without tag, e.g. ghcr.io/acme/orders-api. */
  image: fact(['registry', 'owner', 'name'], (answers) => `${registryHost(answers)}/${answers.owner}/${answers.name}`),

  /** Exec-form command of the server process. */
  startCommand: fact(['tracing'], (answers) => (answers.tracing ? ['node', '--import', './dist/instrumentation.js', 'dist/server.js'] : ['node', 'dist/server.js'])),
  /** Exec-form command that applies database migrations; empty without a database. */
  migrateCommand: fact(['database'], (answers) => (answers.database === 'postgres' ? ['node', 'dist/migrate.js'] : [])),

  appPort: fact([], () => APP_PORT),
  appUid: fact([], () => APP_UID),
  appGid: fact([], () => APP_GID),
  /** "uid:gid", as Dockerfile USER and compose `user:` take it. */
  appUser: fact([], () => `${APP_UID}:${APP_GID}`),
  /** The service's HTTP endpoints for probes and scraping. */
  paths: fact([], () => ({ liveness: '/livez', readiness: '/readyz', health: '/health', metrics: '/metrics', api: '/api/v1' })),
  /**
   * Shutdown timing of the service, in milliseconds: the defaults of
   * SHUTDOWN_DRAIN_MS and SHUTDOWN_TIMEOUT_MS, which orchestrator grace periods
   * are derived from.
   */
  shutdown: fact([], () => ({ drainMs: 5000, timeoutMs: 20000 })),
  /** The pinned runtime base image, name:tag@digest. */
  runtimeImage: fact([], () => `${versions.images.node.name}:${versions.images.node.tag}@${versions.images.node.digest}`),
} as const;

export type Facts = { readonly [Name in keyof typeof definitions]: ReturnType<(typeof definitions)[Name]['derive']> };
export type FactName = keyof Facts;

/** The options each fact is derived from. */
export const factSources: Readonly<Record<FactName, readonly AnswerName[]>> = Object.fromEntries(
  Object.entries(definitions).map(([name, definition]) => [name, definition.from]),
) as Record<FactName, readonly AnswerName[]>;

/** Derives every fact from complete answers; the result is deeply frozen. */
export function deriveFacts(answers: Answers): Facts {
  const facts: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(definitions)) facts[name] = deepFreeze(definition.derive(answers));
  return Object.freeze(facts) as Facts;
}

function deepFreeze<Value>(value: Value): Value {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** A feature read a fact derived from an option it is not declared to read. */
export class UndeclaredOptionRead extends Error {
  constructor(feature: string, name: string, missing: readonly AnswerName[]) {
    super(`Feature ${feature} reads fact ${name}, derived from option(s) ${missing.join(', ')}, which do not name ${feature} as a reader (features: in generators/core/options.ts)`);
    this.name = 'UndeclaredOptionRead';
  }
}

/**
 * The facts as one feature sees them: reading a fact derived from an option
 * whose declaration does not name the feature throws UndeclaredOptionRead.
 * `onRead` hears every option behind each fact read (tests use it to prove
 * that every declared reader really reads its option).
 */
export function factsForFeature(facts: Facts, feature: string, owned: ReadonlySet<AnswerName>, onRead?: (option: AnswerName) => void): Facts {
  return new Proxy(facts, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in factSources) {
        const sources = factSources[property as FactName];
        const missing = sources.filter((option) => !owned.has(option));
        if (missing.length > 0) throw new UndeclaredOptionRead(feature, property, missing);
        for (const option of sources) onRead?.(option);
      }
      return Reflect.get(target, property, receiver);
    },
  });
}
