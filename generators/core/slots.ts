/**
 * The slots features contribute to and read from. Each slot's item type is
 * the contract between the features that write it and the feature that owns
 * the files built from it; each merge rule is tested in test/slots.test.ts.
 */
import { defineSlot, keyedList, mergeRecords, SlotConflict, uniqueInOrder, type Sourced } from './slot.ts';

// ---------------------------------------------------------------- package.json

export interface PackageJsonPart {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  /** Other top-level fields (name, engines, imports, ...). */
  fields?: Record<string, unknown>;
}

export interface PackageJsonParts {
  fields: Record<string, unknown>;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

/** package.json parts: each record merged by key (sorted); top-level fields keep the order they were given in. */
export const packageJsonSlot = defineSlot<PackageJsonPart, PackageJsonParts>('packageJson', (items) => {
  const fields: Record<string, unknown> = {};
  const fieldSources = new Map<string, Sourced<unknown>>();
  for (const { source, item } of items) {
    for (const [key, value] of Object.entries(item.fields ?? {})) {
      const existing = fieldSources.get(key);
      if (existing && JSON.stringify(existing.item) !== JSON.stringify(value)) throw new SlotConflict('packageJson', `field "${key}"`, existing, { source, item: value });
      fieldSources.set(key, { source, item: value });
      fields[key] = value;
    }
  }
  const pick = (field: 'scripts' | 'dependencies' | 'devDependencies') => items.map(({ source, item }) => ({ source, item: item[field] }));
  return {
    fields,
    scripts: mergeRecords('packageJson', 'script', pick('scripts')),
    dependencies: mergeRecords('packageJson', 'dependency', pick('dependencies')),
    devDependencies: mergeRecords('packageJson', 'devDependency', pick('devDependencies')),
  };
});

// ---------------------------------------------------------------- environment

/**
 * One environment variable the service reads. Declared once, it reaches the
 * config schema, .env.example, docs/configuration.md, Compose and Kubernetes.
 */
export interface EnvVar {
  name: string;
  description: string;
  required: boolean;
  /** Default used when the variable is unset (also the .env.example value unless `example` is given). */
  default?: string;
  example?: string;
  /** Secrets never appear as literal values in generated manifests: Kubernetes takes them from a Secret. */
  secret: boolean;
}

/** Environment variables, sorted by name; one name with two different declarations is a conflict. */
export const envSlot = defineSlot<EnvVar, EnvVar[]>(
  'env',
  keyedList('env', (variable) => variable.name),
);

// ---------------------------------------------------------------- README

export interface Command {
  /** npm script name. */
  script: string;
  description: string;
}

/** Commands listed in the README, in the order features give them (feature name order). */
export const commandsSlot = defineSlot<Command, Command[]>(
  'commands',
  keyedList('commands', (command) => command.script, { order: 'source' }),
);

export interface ReadmeSection {
  title: string;
  /** Markdown body, without the heading. */
  body: string;
  /** Lower comes first. */
  order: number;
}

/** README sections, by `order`, then title. */
export const readmeSlot = defineSlot<ReadmeSection, ReadmeSection[]>(
  'readme',
  keyedList('readme', (section) => section.title, { order: (a, b) => a.order - b.order }),
);

/** Lines of the generated .gitignore, first occurrence first. */
export const gitignoreSlot = defineSlot<string, string[]>('gitignore', uniqueInOrder());

// ---------------------------------------------------------------- Kustomize

/** An `images:` entry of a kustomization (Kustomize API, ImageTag). */
export interface KustomizeImage {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** A `patches:` entry: a patch file (path) or inline patch, with an optional target selector. */
export interface KustomizePatch {
  path?: string;
  patch?: string;
  target?: { group?: string; version?: string; kind?: string; name?: string; namespace?: string; labelSelector?: string };
}

/** A `configMapGenerator:` entry (Kustomize API): a ConfigMap from env files or files, named with a content hash. */
export interface KustomizeConfigMapGenerator {
  name: string;
  envs?: string[];
  files?: string[];
}

/**
 * Entries of one kustomization under deploy/kubernetes/: `base`,
 * `components/<name>` or `overlays/<environment>`. Paths are relative to that
 * kustomization's directory, as kustomization.yaml states them.
 */
export interface KustomizeEntry {
  kustomization: string;
  resources?: string[];
  components?: string[];
  patches?: KustomizePatch[];
  images?: KustomizeImage[];
  configMapGenerator?: KustomizeConfigMapGenerator[];
}

export interface Kustomization {
  resources: string[];
  components: string[];
  patches: KustomizePatch[];
  images: KustomizeImage[];
  configMapGenerator: KustomizeConfigMapGenerator[];
}

/**
 * Kustomizations by directory (sorted): resources and components sorted and
 * unique, patches unique by content in contribution order (order matters to
 * Kustomize), images and ConfigMap generators by name, one name with two
 * settings a conflict.
 */
export const kustomizeSlot = defineSlot<KustomizeEntry, Map<string, Kustomization>>('kustomize', (items) => {
  const grouped = new Map<string, Sourced<KustomizeEntry>[]>();
  for (const entry of items) {
    if (!/^(base|components\/[a-z0-9-]+|overlays\/[a-z0-9-]+)$/.test(entry.item.kustomization)) {
      throw new Error(`Slot kustomize: feature ${entry.source} names kustomization "${entry.item.kustomization}"; use base, components/<name> or overlays/<environment>`);
    }
    grouped.set(entry.item.kustomization, [...(grouped.get(entry.item.kustomization) ?? []), entry]);
  }
  const result = new Map<string, Kustomization>();
  for (const name of [...grouped.keys()].sort()) {
    const entries = grouped.get(name) as Sourced<KustomizeEntry>[];
    const strings = (field: 'resources' | 'components') => [...new Set(entries.flatMap(({ item }) => item[field] ?? []))].sort();
    const patches: KustomizePatch[] = [];
    for (const { item } of entries) for (const patch of item.patches ?? []) if (!patches.some((known) => JSON.stringify(known) === JSON.stringify(patch))) patches.push(patch);
    const images = keyedList<KustomizeImage>(`kustomize ${name} images`, (image) => image.name)(
      entries.flatMap(({ source, item }) => (item.images ?? []).map((image) => ({ source, item: image }))),
    );
    const configMapGenerator = keyedList<KustomizeConfigMapGenerator>(`kustomize ${name} configMapGenerator`, (generator) => generator.name)(
      entries.flatMap(({ source, item }) => (item.configMapGenerator ?? []).map((generator) => ({ source, item: generator }))),
    );
    result.set(name, { resources: strings('resources'), components: strings('components'), patches, images, configMapGenerator });
  }
  return result;
});

// ---------------------------------------------------------------- NetworkPolicy

/** A port of a NetworkPolicy rule. */
export interface NetworkPolicyPort {
  port: number | string;
  protocol: 'TCP' | 'UDP';
}

/**
 * One allow rule of the app's NetworkPolicy (the base is default-deny in both
 * directions). `peers` are Kubernetes NetworkPolicyPeer objects; an empty list
 * means any peer. `why` is written beside the rule.
 */
export interface NetworkPolicyAllow {
  /** Unique, e.g. "egress-postgres". */
  name: string;
  direction: 'ingress' | 'egress';
  peers: Record<string, unknown>[];
  ports: NetworkPolicyPort[];
  why: string;
  /** The kustomization the rule belongs to (default base): a component adds its own allow with its component. */
  kustomization?: string;
  /**
   * Only pods with this app.kubernetes.io/component label (default: every pod
   * of the service); all allows of one kustomization must agree.
   */
  podComponent?: string;
}

export const networkPolicySlot = defineSlot<NetworkPolicyAllow, NetworkPolicyAllow[]>(
  'networkPolicy',
  keyedList('networkPolicy', (allow) => allow.name),
);

// ---------------------------------------------------------------- alerts

/** One series of a promtool unit test (input_series). */
export interface PromtoolSeries {
  series: string;
  values: string;
}

/** One promtool test case of an alert: input series and whether the alert fires at `evalTime`. */
export interface AlertCase {
  /** What the case shows, in words. */
  name: string;
  /** Sampling interval of the input series (default 1m). */
  interval?: string;
  inputSeries: PromtoolSeries[];
  /** Time of evaluation, e.g. "70m". */
  evalTime: string;
  /** Labels the firing alert carries besides alertname and severity (firing cases only). */
  expectedLabels?: Record<string, string>;
}

/** The runbook text of an alert; each part is Markdown. */
export interface Runbook {
  meaning: string;
  impact: string;
  diagnosis: string;
  mitigation: string;
}

/**
 * An alert, declared once by the feature that owns its cause; the observability
 * feature turns it into the rule, its promtool tests and docs/runbooks/<name>.md.
 */
export interface AlertDeclaration {
  /** CamelCase, e.g. BackupTooOld. */
  name: string;
  /** Rule group, e.g. "backup". */
  group: string;
  expr: string;
  /** Required for non-SLO alerts (a duration such as "5m"). */
  for?: string;
  severity: 'critical' | 'warning' | 'info';
  labels?: Record<string, string>;
  /** Static one-line summary. */
  summary: string;
  /** Templated description ({{ $labels.x }}, {{ $value }}). */
  description: string;
  firing: AlertCase[];
  notFiring: AlertCase[];
  /** Rule evaluation interval of the alert's promtool tests (default 1m); alerts over days test in seconds with a longer one. */
  testEvaluationInterval?: string;
  runbook: Runbook;
}

export const alertsSlot = defineSlot<AlertDeclaration, AlertDeclaration[]>(
  'alerts',
  keyedList('alerts', (alert) => alert.name),
);

/** A Prometheus recording rule, so alert expressions stay short. */
export interface RecordingRule {
  record: string;
  expr: string;
  group: string;
  labels?: Record<string, string>;
}

export const recordingRulesSlot = defineSlot<RecordingRule, RecordingRule[]>(
  'recordingRules',
  keyedList('recordingRules', (rule) => `${rule.record}${JSON.stringify(rule.labels ?? {})}`),
);

// ---------------------------------------------------------------- ADRs

export interface AdrOption {
  title: string;
  description?: string;
  pros: string[];
  cons: string[];
}

/**
 * An architecture decision record in MADR 4.0 form, contributed by the feature
 * whose option made the decision.
 */
export interface Adr {
  /** File name without number, e.g. "kustomize-overlays". */
  slug: string;
  title: string;
  status: 'proposed' | 'accepted' | 'rejected' | 'deprecated' | 'superseded';
  /** Index order: lower first; the docs feature numbers ADRs in this order. */
  order: number;
  /** Context and problem statement (Markdown). */
  context: string;
  drivers: string[];
  /** At least two; the chosen one is named in `outcome.chosen`. */
  options: AdrOption[];
  outcome: { chosen: string; because: string };
  consequences: { good: string[]; bad: string[] };
  /** How compliance with the decision is confirmed (a test, a check, a review). */
  confirmation: string;
}

export const adrsSlot = defineSlot<Adr, Adr[]>(
  'adrs',
  keyedList('adrs', (adr) => adr.slug, { order: (a, b) => a.order - b.order }),
);

// ---------------------------------------------------------------- security checklist

export type OwaspTop10Category = 'A01' | 'A02' | 'A03' | 'A04' | 'A05' | 'A06' | 'A07' | 'A08' | 'A09' | 'A10';

/** A security-checklist item: done by a file of the project, or a manual step and who does it. */
export interface ChecklistItem {
  /** Unique, e.g. "k8s-restricted-pods". */
  id: string;
  category: OwaspTop10Category;
  /** OWASP ASVS 5.0 requirement ids required at level 1 or 2, e.g. ["V13.4.2"] (generators/docs/asvs.ts lists those allowed); empty when none fits. */
  asvs: string[];
  text: string;
  implementedBy: { file: string } | { manual: string };
}

export const checklistSlot = defineSlot<ChecklistItem, ChecklistItem[]>(
  'checklist',
  keyedList('checklist', (item) => item.id, { order: (a, b) => (a.category < b.category ? -1 : a.category > b.category ? 1 : 0) }),
);

// ---------------------------------------------------------------- CI jobs

/** A service container of a CI job (a pinned image). */
export interface CiService {
  name: string;
  image: string;
  env?: Record<string, string>;
  /** Command that exits 0 once the service is ready. */
  healthCommand?: string;
  port?: number;
}

export interface CiStep {
  name: string;
  /** Shell commands; untrusted input reaches them only through `env`. */
  run: string;
  env?: Record<string, string>;
}

/** A tool a job needs on its runner beyond a POSIX shell (Node.js is `node`). */
export type CiTool = 'docker' | 'cosign' | 'syft' | 'kubectl' | 'ssh';

/**
 * A provider-neutral CI job; the GitHub Actions and GitLab CI features both
 * render every job. Providers add checkout, Node.js set-up, the tools the job
 * lists and registry login themselves. Steps read the commit as
 * `$COMMIT_SHA`, a release tag as `$RELEASE_TAG` (empty on branches), the
 * values of `inputs` under their own names and the outputs of the jobs they
 * need (`$IMAGE_DIGEST`); a step publishes outputs by appending `KEY=value`
 * lines to the file `ci-outputs.env`.
 */
export interface CiJob {
  name: string;
  /** test: every change; release: main and tags; deploy: after the release; manual: started by hand. */
  stage?: 'test' | 'release' | 'deploy' | 'manual';
  /** When the job runs. */
  on: { pullRequest?: boolean; main?: boolean; tags?: boolean; schedule?: string; manual?: boolean };
  needs: string[];
  services: CiService[];
  env: Record<string, string>;
  /** Needs Node.js and `npm ci` first. */
  node: boolean;
  tools?: CiTool[];
  /** Logs in to the image registry (push and signature upload). */
  registryLogin?: boolean;
  /** Needs an OIDC identity token for keyless signing (audience sigstore). */
  idToken?: boolean;
  /** Inputs of a manual job: a choice from `options`, or a value matching `pattern`. */
  inputs?: { name: string; description: string; options?: string[]; pattern?: string }[];
  /** Names of the outputs the job publishes in ci-outputs.env. */
  outputs?: string[];
  steps: CiStep[];
  /**
   * Publishes the provider's release of `$RELEASE_TAG` once the steps ran:
   * notes from `notesFile` (a file the steps write), with the files `paths`
   * of artifact `artifact` of the needed job `job` attached (GitHub) or
   * linked (GitLab).
   */
  release?: { notesFile: string; assets: { job: string; artifact: string; paths: string[] } };
  artifacts: { name: string; paths: string[]; expireDays: number; when: 'always' | 'on_success' | 'on_failure' }[];
  caches: { key: string; paths: string[] }[];
  /** A deployment environment; `approval` makes it wait for a reviewer. A name `$INPUT` is the value of that input. */
  environment?: { name: string; url?: string; approval: boolean };
  /** Token scopes the job needs beyond read-only. */
  permissions: Record<string, 'read' | 'write'>;
  timeoutMinutes: number;
}

export const ciJobsSlot = defineSlot<CiJob, CiJob[]>(
  'ciJobs',
  keyedList('ciJobs', (job) => job.name),
);

// ---------------------------------------------------------------- documentation pages

/** A section of a documentation page (docs/operations.md, docs/deployment.md, ...), by owner. */
export interface DocSection {
  /** Project-relative page path, e.g. "docs/deployment.md". */
  page: string;
  title: string;
  /** Lower comes first within the page. */
  order: number;
  /** Markdown body, without the heading. */
  body: string;
}

export const docsSlot = defineSlot<DocSection, DocSection[]>(
  'docs',
  keyedList('docs', (section) => `${section.page}#${section.title}`, {
    order: (a, b) => (a.page < b.page ? -1 : a.page > b.page ? 1 : a.order - b.order),
  }),
);
