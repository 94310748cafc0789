/**
 * Kubernetes: deploy/kubernetes/ with a Kustomize base, one Component per
 * optional part, and staging and production overlays. Every manifest and
 * kustomization.yaml is built as data (manifests.ts) and serialized; the
 * kustomizations merge what other features contribute through the kustomize
 * and networkPolicy slots, and every declared environment variable lands
 * exactly once: in the ConfigMap, or as a secretKeyRef.
 */
import { yamlFile } from '../core/yaml-text.ts';
import type { Facts } from '../core/facts.ts';
import type { Feature } from '../core/feature.ts';
import {
  adrsSlot,
  checklistSlot,
  ciJobsSlot,
  docsSlot,
  envSlot,
  kustomizeSlot,
  networkPolicySlot,
  readmeSlot,
  type EnvVar,
  type Kustomization,
  type KustomizePatch,
  type NetworkPolicyAllow,
} from '../core/slots.ts';
import { kubernetesAdr } from './adr.ts';
import { kubernetesCiJobs } from './ci-jobs.ts';
import {
  allowPolicy,
  baseAllows,
  configMapName,
  defaultDenyPolicy,
  deployment,
  externalSecret,
  horizontalPodAutoscaler,
  ingress,
  migrationJob,
  namespace,
  podDisruptionBudget,
  service,
  serviceAccount,
} from './manifests.ts';

const ROOT = 'deploy/kubernetes';

/** What differs between the environments; everything else is the base. */
export interface Environment {
  name: 'staging' | 'production';
  minReplicas: number;
  maxReplicas: number;
  host: (facts: Facts) => string;
  clusterIssuer: string;
  logLevel: string;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}

export const ENVIRONMENTS: readonly Environment[] = [
  {
    name: 'staging',
    minReplicas: 2,
    maxReplicas: 3,
    host: (facts) => `${facts.name}.staging.example.com`,
    clusterIssuer: 'letsencrypt-staging',
    logLevel: 'debug',
    resources: { requests: { cpu: '100m', memory: '192Mi', 'ephemeral-storage': '64Mi' }, limits: { cpu: '1', memory: '384Mi', 'ephemeral-storage': '128Mi' } },
  },
  {
    name: 'production',
    minReplicas: 3,
    maxReplicas: 10,
    host: (facts) => `${facts.name}.example.com`,
    clusterIssuer: 'letsencrypt-production',
    logLevel: 'info',
    resources: { requests: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '64Mi' }, limits: { cpu: '1', memory: '512Mi', 'ephemeral-storage': '128Mi' } },
  },
];

/** What the kubernetes feature's own components are for (others say it through their NetworkPolicy reasons). */
const COMPONENT_PURPOSES: Readonly<Record<string, string>> = {
  migrations: 'the Job that applies database migrations before a rollout.',
  'external-secrets': 'an ExternalSecret that fills the service\'s Secret from a secret manager.',
};

/** Components an overlay does not include unless the user opts in (they need an operator in the cluster). */
const OPT_IN_COMPONENTS = new Set(['external-secrets']);

/** YAML of one or more objects, with a comment header. */
export function manifestYaml(header: string, ...documents: object[]): string {
  return yamlFile(header, documents);
}

/** A `KEY=value` env file for configMapGenerator, each variable with its description as a comment. */
export function envFile(header: string, values: readonly { name: string; value: string; description?: string }[]): string {
  const lines = header
    .trim()
    .split('\n')
    .map((line) => `# ${line}`);
  for (const { name, value, description } of values) {
    if (/[\n\r]/.test(value)) throw new Error(`${name}: a ConfigMap env file value cannot span lines`);
    lines.push('', ...(description ? [`# ${description}`] : []), `${name}=${value}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The non-secret variables with the base's values: the declared default, or empty (unset; the service ignores blank values). */
export function baseConfig(env: readonly EnvVar[]): { name: string; value: string; description: string }[] {
  return env.filter((variable) => !variable.secret).map((variable) => ({ name: variable.name, value: variable.default ?? '', description: variable.description }));
}

function kustomization(entries: Record<string, unknown>, merged: Kustomization | undefined, kind: 'Kustomization' | 'Component'): Record<string, unknown> {
  const resources = [...new Set([...((entries.resources as string[] | undefined) ?? []), ...(merged?.resources ?? [])])];
  const components = [...new Set([...((entries.components as string[] | undefined) ?? []), ...(merged?.components ?? [])])];
  const patches = [...((entries.patches as KustomizePatch[] | undefined) ?? []), ...(merged?.patches ?? [])];
  const images = merged?.images ?? [];
  const configMapGenerator = [...((entries.configMapGenerator as unknown[] | undefined) ?? []), ...(merged?.configMapGenerator ?? [])];
  const { namespace, labels, resources: _resources, components: _components, patches: _patches, configMapGenerator: _generators, ...rest } = entries;
  return {
    apiVersion: kind === 'Component' ? 'kustomize.config.k8s.io/v1alpha1' : 'kustomize.config.k8s.io/v1beta1',
    kind,
    ...(namespace === undefined ? {} : { namespace }),
    ...(labels === undefined ? {} : { labels }),
    ...(resources.length > 0 ? { resources } : {}),
    ...(components.length > 0 ? { components } : {}),
    ...(patches.length > 0 ? { patches } : {}),
    ...rest,
    ...(configMapGenerator.length > 0 ? { configMapGenerator } : {}),
    ...(images.length > 0 ? { images } : {}),
  };
}

/** The component directories the slots name, with the allows each one holds. */
function componentsOf(kustomizations: ReadonlyMap<string, Kustomization>, allows: readonly NetworkPolicyAllow[]): string[] {
  const names = new Set<string>();
  for (const name of kustomizations.keys()) if (name.startsWith('components/')) names.add(name.slice('components/'.length));
  for (const allow of allows) if (allow.kustomization?.startsWith('components/')) names.add(allow.kustomization.slice('components/'.length));
  return [...names].sort();
}

function overlayFiles(facts: Facts, environment: Environment, env: readonly EnvVar[], kustomizations: ReadonlyMap<string, Kustomization>, components: readonly string[]): Record<string, string> {
  const directory = `${ROOT}/overlays/${environment.name}`;
  const merged = kustomizations.get(`overlays/${environment.name}`);
  const host = environment.host(facts);
  const patchHeader = `Patch of the base for ${environment.name}.`;
  const files: Record<string, string> = {};
  files[`${directory}/hpa.yaml`] = manifestYaml(`${patchHeader} PodDisruptionBudget minAvailable (1) stays at or below minReplicas.`, {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: facts.name },
    spec: { minReplicas: environment.minReplicas, maxReplicas: environment.maxReplicas },
  });
  files[`${directory}/resources.yaml`] = manifestYaml(patchHeader, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: facts.name },
    spec: { template: { spec: { containers: [{ name: 'app', resources: environment.resources }] } } },
  });
  files[`${directory}/ingress.yaml`] = manifestYaml(`${patchHeader} Set the public host name before the first deploy (docs/deployment.md).`, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: facts.name, annotations: { 'cert-manager.io/cluster-issuer': environment.clusterIssuer } },
    spec: {
      tls: [{ hosts: [host], secretName: `${facts.name}-tls` }],
      rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: facts.name, port: { name: 'http' } } } }] } }],
    },
  });
  const declared = new Set(env.map((variable) => variable.name));
  const overrides = [
    { name: 'LOG_LEVEL', value: environment.logLevel },
    { name: 'SENTRY_ENVIRONMENT', value: environment.name },
  ].filter((entry) => declared.has(entry.name));
  files[`${directory}/config.env`] = envFile(`Values of the ${configMapName(facts)} ConfigMap that differ in ${environment.name} (merged over base/config.env).`, overrides);
  const included = components.filter((component) => !OPT_IN_COMPONENTS.has(component)).map((component) => `../../components/${component}`);
  files[`${directory}/kustomization.yaml`] = manifestYaml(
    [
      `${environment.name[0]?.toUpperCase()}${environment.name.slice(1)}: kubectl apply -k ${directory} (docs/deployment.md).`,
      'Deploys pin the released image by digest: kustomize edit set image <image>=<image>@sha256:<digest>.',
      ...(components.some((component) => OPT_IN_COMPONENTS.has(component))
        ? [`Opt-in components (need their operator in the cluster): ${components.filter((component) => OPT_IN_COMPONENTS.has(component)).join(', ')}.`]
        : []),
    ].join('\n'),
    kustomization(
      {
        namespace: `${facts.namespace}-${environment.name}`,
        labels: [{ pairs: { 'app.kubernetes.io/instance': `${facts.name}-${environment.name}` }, includeTemplates: true }],
        resources: ['../../base'],
        components: included,
        patches: [{ path: 'hpa.yaml' }, { path: 'resources.yaml' }, { path: 'ingress.yaml' }],
        configMapGenerator: [{ name: configMapName(facts), behavior: 'merge', envs: ['config.env'] }],
      },
      {
        resources: merged?.resources ?? [],
        components: merged?.components ?? [],
        patches: merged?.patches ?? [],
        configMapGenerator: merged?.configMapGenerator ?? [],
        // The first release's tag; deploys replace it with the released digest.
        images: [{ name: facts.image, newTag: '0.1.0' }, ...(merged?.images ?? [])],
      },
      'Kustomization',
    ),
  );
  return files;
}

/** Every file under deploy/kubernetes/. */
export function kubernetesFiles(facts: Facts, env: readonly EnvVar[], kustomizations: ReadonlyMap<string, Kustomization>, contributedAllows: readonly NetworkPolicyAllow[]): Record<string, string> {
  const files: Record<string, string> = {};
  const base = `${ROOT}/base`;
  const allows = [...baseAllows(facts), ...contributedAllows];
  const baseRules = allows.filter((allow) => (allow.kustomization ?? 'base') === 'base');
  const header = (what: string) => `${what} of ${facts.title}; the overlays adapt it per environment.`;
  files[`${base}/namespace.yaml`] = manifestYaml('Namespace with the Pod Security Standard "restricted" enforced, audited and warned on.', namespace(facts));
  files[`${base}/serviceaccount.yaml`] = manifestYaml('Dedicated identity without an API token: the service never calls the Kubernetes API.', serviceAccount(facts));
  files[`${base}/deployment.yaml`] = manifestYaml(header('Deployment'), deployment(facts, env));
  files[`${base}/service.yaml`] = manifestYaml(header('ClusterIP Service'), service(facts));
  files[`${base}/pdb.yaml`] = manifestYaml(header('PodDisruptionBudget'), podDisruptionBudget(facts));
  files[`${base}/hpa.yaml`] = manifestYaml(`${header('HorizontalPodAutoscaler')} It owns the replica count: the Deployment sets none.`, horizontalPodAutoscaler(facts));
  files[`${base}/networkpolicy.yaml`] = manifestYaml(
    'Default deny for every pod of the namespace, then what the service needs; each allow says why.',
    defaultDenyPolicy(),
    allowPolicy(facts, facts.name, baseRules),
  );
  files[`${base}/ingress.yaml`] = manifestYaml(`${header('Ingress with TLS from cert-manager and HTTP redirected to HTTPS')}`, ingress(facts));
  files[`${base}/config.env`] = envFile(
    `Non-secret settings of ${facts.title} (docs/configuration.md), the ${configMapName(facts)} ConfigMap.\nSecrets are never here: the Deployment reads them from the Secret ${facts.name}-secrets.\nA blank value means unset.`,
    baseConfig(env),
  );
  files[`${base}/kustomization.yaml`] = manifestYaml(
    `Base of ${facts.title}; deploy an overlay, not the base (docs/deployment.md).`,
    kustomization(
      {
        namespace: facts.namespace,
        // Selectors are written in the manifests; these labels never enter a selector, which is immutable.
        labels: [{ pairs: { 'app.kubernetes.io/part-of': facts.name, 'app.kubernetes.io/managed-by': 'kustomize' }, includeTemplates: true }],
        resources: ['namespace.yaml', 'serviceaccount.yaml', 'deployment.yaml', 'service.yaml', 'pdb.yaml', 'hpa.yaml', 'networkpolicy.yaml', 'ingress.yaml'],
        // The label lets the deploy apply the ConfigMap together with the migration Job, before the rollout.
        configMapGenerator: [{ name: configMapName(facts), envs: ['config.env'], options: { labels: { 'app.kubernetes.io/component': 'config' } } }],
      },
      kustomizations.get('base'),
      'Kustomization',
    ),
  );
  const components = componentsOf(kustomizations, allows);
  for (const component of components) {
    const directory = `${ROOT}/components/${component}`;
    const rules = allows.filter((allow) => allow.kustomization === `components/${component}`);
    const resources: string[] = [];
    if (rules.length > 0) {
      files[`${directory}/networkpolicy.yaml`] = manifestYaml(`What the ${component} component allows the service's pods.`, allowPolicy(facts, `${facts.name}-${component}`, rules));
      resources.push('networkpolicy.yaml');
    }
    const purpose = COMPONENT_PURPOSES[component] ?? `lets the service's pods reach ${rules.map((rule) => rule.why).join(' ')}`;
    files[`${directory}/kustomization.yaml`] = manifestYaml(
      `Component ${component}${OPT_IN_COMPONENTS.has(component) ? ' (opt-in: add it to an overlay\'s components)' : ''}: ${purpose}`,
      kustomization({ resources }, kustomizations.get(`components/${component}`), 'Component'),
    );
  }
  for (const environment of ENVIRONMENTS) Object.assign(files, overlayFiles(facts, environment, env, kustomizations, components));
  return files;
}

/** The manifests of the kubernetes feature's own components (migrations, external secrets), by project path. */
function ownComponentFiles(facts: Facts, env: readonly EnvVar[]): Record<string, string> {
  const files: Record<string, string> = {};
  if (facts.hasPostgres) {
    files[`${ROOT}/components/migrations/job.yaml`] = manifestYaml(
      'Applies database migrations before a rollout: deploy it, wait for it to complete, then roll out (docs/deployment.md).',
      migrationJob(facts, env),
    );
  }
  if (env.some((variable) => variable.secret)) {
    files[`${ROOT}/components/external-secrets/externalsecret.yaml`] = manifestYaml(
      `External Secrets Operator: fills the Secret ${facts.name}-secrets from a ClusterSecretStore named secret-store.\nOpt in by adding ../../components/external-secrets to an overlay's components.`,
      externalSecret(facts, env),
    );
  }
  return files;
}

export const kubernetesFeature: Feature = {
  name: 'kubernetes',
  summary: 'Kustomize base, components and staging/production overlays: restricted pods, probes, PDB, HPA, default-deny NetworkPolicy, TLS Ingress.',
  applies: (facts) => facts.deploysToKubernetes,
  reads: [envSlot, kustomizeSlot, networkPolicySlot],
  contribute: ({ facts, part }) => [
    readmeSlot.of({ title: 'Production on Kubernetes', order: 33, body: part('readme.md') }),
    docsSlot.of(
      { page: 'docs/deployment.md', title: 'Layout', order: 10, body: part('deployment-layout.md') },
      { page: 'docs/deployment.md', title: 'Before the first deploy', order: 20, body: part('deployment-first.md') },
      { page: 'docs/deployment.md', title: 'Deploy', order: 30, body: part('deployment-deploy.md') },
      { page: 'docs/deployment.md', title: 'Roll back', order: 40, body: part('deployment-rollback.md') },
      { page: 'docs/deployment.md', title: 'Scale', order: 50, body: part('deployment-scale.md') },
    ),
    adrsSlot.of(kubernetesAdr(facts)),
    ciJobsSlot.of(...kubernetesCiJobs(facts)),
    docsSlot.of({
      page: 'docs/security-checklist.md',
      title: 'Go-live: Kubernetes',
      order: 10,
      body: [
        ...ENVIRONMENTS.map((environment) => `- The host \`${environment.host(facts)}\` in [\`${ROOT}/overlays/${environment.name}/ingress.yaml\`](../${ROOT}/overlays/${environment.name}/ingress.yaml) (rule and TLS host): your ${environment.name} host name.`),
        `- The Secret \`${facts.name}-secrets\` in the \`${facts.namespace}\` namespace of each cluster, with the variables of "Go-live: secrets" above (or the External Secrets component and its ClusterSecretStore).`,
        `- The cert-manager ClusterIssuers ${ENVIRONMENTS.map((environment) => `\`${environment.clusterIssuer}\``).join(' and ')} the overlays name.`,
      ].join('\n'),
    }),
    checklistSlot.of(
      {
        id: 'kubernetes-restricted-pods',
        category: 'A02',
        asvs: ['V13.2.2'],
        text: 'Every pod runs under the Pod Security Standard "restricted": non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, read-only root filesystem.',
        implementedBy: { file: `${ROOT}/base/deployment.yaml` },
      },
      {
        id: 'kubernetes-default-deny',
        category: 'A02',
        asvs: ['V13.2.4', 'V13.2.5'],
        text: 'Network traffic is denied by default in both directions; each allowed flow is listed with its reason.',
        implementedBy: { file: `${ROOT}/base/networkpolicy.yaml` },
      },
      {
        id: 'kubernetes-secrets-by-reference',
        category: 'A04',
        asvs: ['V13.3.1'],
        text: 'Secrets reach the pods only by reference to a Secret created outside the repository; no Secret manifest is committed.',
        implementedBy: { file: `${ROOT}/base/deployment.yaml` },
      },
      {
        id: 'kubernetes-tls-ingress',
        category: 'A04',
        asvs: ['V12.2.1', 'V12.2.2'],
        text: 'The Ingress serves HTTPS only, with a certificate from cert-manager, and redirects HTTP to HTTPS.',
        implementedBy: { file: `${ROOT}/base/ingress.yaml` },
      },
    ),
  ],
  files: (facts, assembled) => {
    const env = assembled.get(envSlot);
    const own = ownComponentFiles(facts, env);
    // The feature's own component manifests join what other features contributed to those kustomizations.
    const kustomizations = new Map(assembled.get(kustomizeSlot));
    for (const path of Object.keys(own)) {
      const [component, file] = path.slice(`${ROOT}/`.length).split(/\/(?=[^/]+$)/) as [string, string];
      const known = kustomizations.get(component) ?? { resources: [], components: [], patches: [], images: [], configMapGenerator: [] };
      kustomizations.set(component, { ...known, resources: [...new Set([...known.resources, file])].sort() });
    }
    return { ...own, ...kubernetesFiles(facts, env, kustomizations, assembled.get(networkPolicySlot)) };
  },
};
