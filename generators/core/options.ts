/**
 * The option model: every answer the generator takes is declared here once.
 * Flags, --help, prompts, validation, saved answers, docs/options.md and the
 * matrix space are all derived from this list.
 */
import { projectNameProblems } from './project-name.ts';

export type License = 'MIT' | 'Apache-2.0' | 'BSD-3-Clause' | 'MPL-2.0' | 'UNLICENSED';

export interface Answers {
  name: string;
  description: string;
  owner: string;
  license: License;
  database: 'postgres' | 'none';
  cache: 'redis' | 'none';
  ci: 'github' | 'gitlab' | 'none';
  deploy: 'kubernetes' | 'compose' | 'both';
  observability: boolean;
  tracing: boolean;
  sentry: boolean;
  backup: boolean;
  loadTest: boolean;
  registry: string;
  slo: number;
}

export type AnswerName = keyof Answers;
export type AnswerValue = Answers[AnswerName];
export type PartialAnswers = Partial<Answers>;

export interface Choice {
  value: string;
  description: string;
  /** Set while this choice is accepted but generates nothing yet: says so in --help, prompts and docs. */
  planned?: string;
}

export type OptionGroup = 'Project' | 'Stack' | 'Delivery' | 'Operations';

/**
 * How the matrix covers an option: `vary` takes every value into the cross
 * product; `sample` uses the first sample everywhere and each further sample in
 * one extra combination.
 */
export type MatrixCoverage = { vary: true } | { samples: readonly AnswerValue[] };

export interface OptionDeclaration {
  name: AnswerName;
  flag: string;
  type: 'text' | 'choice' | 'boolean' | 'number';
  group: OptionGroup;
  /** One line, shown in --help, prompts and docs. */
  help: string;
  /** The question asked in interactive mode. */
  message: string;
  choices?: readonly Choice[];
  /** Text options that also accept values outside `choices` (e.g. a custom registry host). */
  allowCustom?: boolean;
  /** A default may depend on earlier answers. */
  default: AnswerValue | ((answers: PartialAnswers) => AnswerValue);
  /** Describes the default in --help and docs when it is computed. */
  defaultText?: string;
  /**
   * Answers this option needs (the cross-option constraints, as data). When they
   * do not hold the option is not asked and takes `valueWhenNotApplicable`;
   * giving it another value explicitly is an error that states the rule.
   */
  requires?: PartialAnswers;
  valueWhenNotApplicable?: AnswerValue;
  /** Problems with a value, in words; empty when valid. */
  validate?: (value: AnswerValue) => string[];
  /** Positional argument that also sets this option. */
  positional?: boolean;
  matrix: MatrixCoverage;
  /**
   * The features that read this option (through the facts derived from it). A
   * feature reading a fact of an option that does not name it fails the run;
   * test/ownership.test.ts proves every name here is really read.
   */
  features: readonly string[];
  /**
   * Set while what the option promises is not generated yet, in words
   * ("not generated yet: ..."); --help, the prompts and docs/options.md show it.
   */
  planned?: string;
}

const REGISTRY_HOST = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?(\/[a-z0-9._-]+)*$/;

export const options: readonly OptionDeclaration[] = [
  {
    name: 'name',
    flag: 'name',
    type: 'text',
    group: 'Project',
    help: 'Project name: an npm package name that is also a DNS-1123 label (lowercase, digits, "-", at most 63 characters).',
    message: 'Project name',
    default: '',
    defaultText: 'the directory name',
    validate: (value) => projectNameProblems(String(value)),
    positional: true,
    matrix: { samples: ['orders-api'] },
    features: ['repo', 'service', 'container', 'compose', 'kubernetes', 'docs', 'github-actions', 'gitlab-ci', 'observability', 'backup'],
  },
  {
    name: 'description',
    flag: 'description',
    type: 'text',
    group: 'Project',
    help: 'One sentence that says what the service does.',
    message: 'Description',
    default: (answers) => `The ${answers.name ?? 'service'} service.`,
    defaultText: '"The {name} service."',
    validate: (value) => (String(value).trim() === '' ? ['must not be empty'] : String(value).includes('\n') ? ['must be one line'] : []),
    matrix: { samples: ['Takes and tracks customer orders.'] },
    features: ['repo', 'container'],
  },
  {
    name: 'owner',
    flag: 'owner',
    type: 'text',
    group: 'Project',
    help: 'GitHub/GitLab organisation or user: used in image names, CODEOWNERS and contact addresses.',
    message: 'Owner (organisation or user)',
    default: 'my-org',
    validate: (value) =>
      /^[a-z0-9]([a-z0-9-]{0,37}[a-z0-9])?$/.test(String(value))
        ? []
        : ['must be lowercase letters, digits and "-" (at most 39 characters), as GitHub and image names allow'],
    matrix: { samples: ['acme'] },
    features: ['container', 'compose', 'kubernetes', 'github-actions', 'gitlab-ci', 'repo', 'observability', 'backup'],
  },
  {
    name: 'license',
    flag: 'license',
    type: 'choice',
    group: 'Project',
    help: 'License of the generated project (SPDX identifier).',
    message: 'License',
    choices: [
      { value: 'MIT', description: 'Permissive, short; the most common choice for open source.' },
      { value: 'Apache-2.0', description: 'Permissive with an explicit patent grant.' },
      { value: 'BSD-3-Clause', description: 'Permissive; forbids using your name to endorse derived works.' },
      { value: 'MPL-2.0', description: 'File-level copyleft: changes to your files stay open.' },
      { value: 'UNLICENSED', description: 'Proprietary: all rights reserved, package marked private.' },
    ],
    default: 'MIT',
    matrix: { samples: ['MIT', 'Apache-2.0'] },
    features: ['repo', 'container'],
  },
  {
    name: 'database',
    flag: 'database',
    type: 'choice',
    group: 'Stack',
    help: 'Database of the service.',
    message: 'Database',
    choices: [
      { value: 'postgres', description: 'PostgreSQL with migrations, pooling and an embedded server for tests.' },
      { value: 'none', description: 'No database: the example resource is kept in memory.' },
    ],
    default: 'postgres',
    matrix: { vary: true },
    features: ['service', 'container', 'compose', 'kubernetes', 'github-actions', 'load-test', 'observability', 'backup'],
  },
  {
    name: 'cache',
    flag: 'cache',
    type: 'choice',
    group: 'Stack',
    help: 'Cache and shared rate-limit store.',
    message: 'Cache',
    choices: [
      { value: 'redis', description: 'Redis: shared rate limits across replicas, readiness checks it.' },
      { value: 'none', description: 'No cache: rate limits are kept per process.' },
    ],
    default: 'none',
    matrix: { vary: true },
    features: ['service', 'container', 'compose', 'github-actions', 'observability'],
  },
  {
    name: 'ci',
    flag: 'ci',
    type: 'choice',
    group: 'Delivery',
    help: 'CI/CD system for tests, image builds and deployments.',
    message: 'CI/CD',
    choices: [
      { value: 'github', description: 'GitHub Actions with pinned actions, CodeQL, signed images.' },
      { value: 'gitlab', description: 'GitLab CI/CD pipeline with pinned images, security scanning, signed images.' },
      { value: 'none', description: 'No CI configuration.' },
    ],
    default: 'github',
    matrix: { vary: true },
    features: ['container', 'github-actions', 'gitlab-ci', 'repo', 'observability'],
  },
  {
    name: 'deploy',
    flag: 'deploy',
    type: 'choice',
    group: 'Delivery',
    help: 'Where the service runs in production.',
    message: 'Deployment target',
    choices: [
      { value: 'kubernetes', description: 'Kustomize base with staging and production overlays.' },
      { value: 'compose', description: 'Docker Compose on a single host behind Caddy with automatic HTTPS.' },
      { value: 'both', description: 'Kubernetes manifests and the Compose production stack.' },
    ],
    default: 'kubernetes',
    matrix: { vary: true },
    features: ['compose', 'kubernetes', 'github-actions', 'gitlab-ci', 'service', 'observability', 'backup'],
  },
  {
    name: 'observability',
    flag: 'observability',
    type: 'boolean',
    group: 'Operations',
    help: 'Prometheus alerts with runbooks, Alertmanager and Grafana dashboards.',
    message: 'Add monitoring (Prometheus alerts, runbooks, dashboards)?',
    default: true,
    matrix: { vary: true },
    features: ['service', 'observability'],
  },
  {
    name: 'slo',
    flag: 'slo',
    type: 'number',
    group: 'Operations',
    help: 'Availability objective in percent, used by the burn-rate alerts.',
    message: 'Availability SLO (percent)',
    default: 99.9,
    requires: { observability: true },
    valueWhenNotApplicable: 99.9,
    validate: (value) => {
      const slo = Number(value);
      return Number.isFinite(slo) && slo >= 90 && slo < 100 && /^\d+(\.\d{1,3})?$/.test(String(value))
        ? []
        : ['must be a percentage from 90 up to (not including) 100, with at most 3 decimals, e.g. 99.9'];
    },
    matrix: { samples: [99.9, 99.5] },
    features: ['service', 'observability'],
  },
  {
    name: 'tracing',
    flag: 'tracing',
    type: 'boolean',
    group: 'Operations',
    help: 'OpenTelemetry tracing exported over OTLP.',
    message: 'Add OpenTelemetry tracing?',
    default: false,
    matrix: { vary: true },
    features: ['service', 'container'],
  },
  {
    name: 'sentry',
    flag: 'sentry',
    type: 'boolean',
    group: 'Operations',
    help: 'Sentry error reporting (active only when SENTRY_DSN is set).',
    message: 'Add Sentry error reporting?',
    default: false,
    matrix: { vary: true },
    features: ['service'],
  },
  {
    name: 'backup',
    flag: 'backup',
    type: 'boolean',
    group: 'Operations',
    help: 'Scheduled, encrypted database backups with a weekly restore drill.',
    message: 'Add scheduled database backups with restore drills?',
    default: (answers) => answers.database === 'postgres',
    defaultText: 'on with --database postgres',
    requires: { database: 'postgres' },
    valueWhenNotApplicable: false,
    matrix: { vary: true },
    features: ['backup'],
  },
  {
    name: 'loadTest',
    flag: 'load-test',
    type: 'boolean',
    group: 'Operations',
    help: 'k6 load tests with p95 and error-rate thresholds.',
    message: 'Add k6 load tests?',
    default: true,
    matrix: { vary: true },
    features: ['load-test'],
  },
  {
    name: 'registry',
    flag: 'registry',
    type: 'text',
    group: 'Delivery',
    help: 'Container registry: ghcr, dockerhub, or a registry host such as registry.example.com.',
    message: 'Container registry',
    choices: [
      { value: 'ghcr', description: 'GitHub Container Registry (ghcr.io).' },
      { value: 'dockerhub', description: 'Docker Hub (docker.io).' },
    ],
    allowCustom: true,
    default: 'ghcr',
    validate: (value) =>
      value === 'ghcr' || value === 'dockerhub' || REGISTRY_HOST.test(String(value))
        ? []
        : ['must be ghcr, dockerhub, or a registry host such as registry.example.com[:port][/path]'],
    matrix: { samples: ['ghcr', 'registry.example.com'] },
    features: ['container', 'compose', 'kubernetes', 'github-actions', 'gitlab-ci', 'backup'],
  },
];

export function optionByName(name: AnswerName): OptionDeclaration {
  const declaration = options.find((option) => option.name === name);
  if (!declaration) throw new Error(`No option named ${name}`);
  return declaration;
}

export function defaultValue(declaration: OptionDeclaration, answers: PartialAnswers): AnswerValue {
  return typeof declaration.default === 'function' ? declaration.default(answers) : declaration.default;
}

export function applies(declaration: OptionDeclaration, answers: PartialAnswers): boolean {
  return Object.entries(declaration.requires ?? {}).every(([name, value]) => answers[name as AnswerName] === value);
}
