/**
 * Cross-file consistency of the Kubernetes manifests with the rest of the
 * project, on every overlay as kustomize renders it:
 * - the environment: every variable of the config schema (src/config.ts) is
 *   in the ConfigMap or a secretKeyRef, exactly once, secrets only by
 *   reference; the same set as .env.example and compose.yaml's app service;
 * - the container port equals PORT, probes use declared ports and paths the
 *   app serves (src/health.ts);
 * - runAsUser:runAsGroup equals the Dockerfile's final USER;
 * - terminationGracePeriodSeconds exceeds preStop sleep + SHUTDOWN_TIMEOUT_MS;
 * - every NetworkPolicy port is the app's port, DNS, or the port of a
 *   dependency URL in .env.example (policies for other pods, selected by
 *   another app.kubernetes.io/component, are left to their feature's checks);
 * - HPA, PDB and replicas agree (no replicas with an HPA, minAvailable ≤
 *   minReplicas, minReplicas ≥ 2 in production); no Secret object, no
 *   untagged or :latest image.
 *
 *   node matrix/checks/kubernetes-consistency.ts <project-dir>
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone } from '../support/direct-run.ts';
import { runTool } from '../support/process.ts';

type Manifest = { kind?: string; metadata?: { name?: string }; spec?: Record<string, unknown>; data?: Record<string, string> } & Record<string, unknown>;
type Container = {
  name: string;
  image?: string;
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  securityContext?: { runAsUser?: number; runAsGroup?: number };
};
type Probe = { httpGet?: { path: string; port: string | number } };
type PodSpec = { containers: Container[]; securityContext?: { runAsUser?: number; runAsGroup?: number }; terminationGracePeriodSeconds?: number };

const OVERLAYS = 'deploy/kubernetes/overlays';
/** Cluster DNS is always allowed. */
const DNS_PORT = 53;

/** The variable names of the config schema: the keys of the zod object in src/config.ts. */
export function schemaVariables(configSource: string): Set<string> {
  return new Set([...configSource.matchAll(/^ {2,4}([A-Z][A-Z0-9_]*): /gm)].map((match) => match[1] as string));
}

/** Variables of .env.example (set or commented out) and their values. */
export function exampleVariables(example: string): Map<string, string> {
  return new Map([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((match) => [match[1] as string, match[2] as string]));
}

/** Ports of the dependency URLs in .env.example (DATABASE_URL, REDIS_URL, OTEL_EXPORTER_OTLP_ENDPOINT, ...). */
export function dependencyPorts(example: Map<string, string>): Set<number> {
  const ports = new Set<number>();
  for (const [name, value] of example) {
    if (!/(_URL|_ENDPOINT)$/.test(name)) continue;
    try {
      const url = new URL(value);
      if (url.port) ports.add(Number(url.port));
    } catch {
      // Not a URL example: no port to allow.
    }
  }
  return ports;
}

/** The USER of the Dockerfile's last stage, as uid and gid. */
export function dockerfileUser(dockerfile: string): { uid: number; gid: number } | undefined {
  const users = [...dockerfile.matchAll(/^USER\s+(\d+):(\d+)\s*$/gm)];
  const last = users.at(-1);
  return last ? { uid: Number(last[1]), gid: Number(last[2]) } : undefined;
}

function podSpecOf(manifest: Manifest): PodSpec | undefined {
  const spec = manifest.spec as { template?: { spec?: PodSpec }; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } } | undefined;
  return spec?.template?.spec ?? spec?.jobTemplate?.spec?.template?.spec;
}

/** Findings for one rendered overlay. */
export function overlayFindings(overlay: string, objects: readonly Manifest[], project: { config: string; example: string; dockerfile: string; health: string; compose?: string }): string[] {
  const problems: string[] = [];
  const named = (kind: string) => objects.filter((object) => object.kind === kind);
  const schema = schemaVariables(project.config);
  const example = exampleVariables(project.example);
  const secretsBlock = /SECRET_VARIABLES[^=]*= new Set\((\[[^\]]*\])\)/.exec(project.config)?.[1];
  const secrets = new Set<string>(secretsBlock ? (JSON.parse(secretsBlock.replaceAll("'", '"')) as string[]) : []);

  if (named('Secret').length > 0) problems.push('a Secret object is rendered: secrets must come from outside the repository');
  const deployments = named('Deployment');
  if (deployments.length !== 1) problems.push(`expected one Deployment, found ${deployments.length}`);
  const deployment = deployments[0];
  const pod = deployment ? podSpecOf(deployment) : undefined;
  const app = pod?.containers[0];
  if (!deployment || !pod || !app) return problems;

  // Environment: ConfigMap keys and secret references, each variable once.
  const configMaps = new Map(named('ConfigMap').map((map) => [map.metadata?.name, map]));
  const fromConfigMaps = (app.envFrom ?? []).flatMap((source) => {
    const map = configMaps.get(source.configMapRef?.name);
    if (!map) {
      problems.push(`envFrom names ConfigMap ${source.configMapRef?.name}, which the overlay does not render`);
      return [];
    }
    return Object.keys(map.data ?? {});
  });
  const referenced = (app.env ?? []).filter((variable) => variable.valueFrom?.secretKeyRef).map((variable) => variable.name);
  const literal = (app.env ?? []).filter((variable) => !variable.valueFrom).map((variable) => variable.name);
  const kubernetesSet = [...fromConfigMaps, ...referenced, ...literal];
  for (const name of new Set(kubernetesSet)) if (kubernetesSet.filter((entry) => entry === name).length > 1) problems.push(`${name} is set more than once for the app container`);
  const sameSet = (label: string, names: Iterable<string>) => {
    const other = new Set(names);
    const missing = [...schema].filter((name) => !other.has(name));
    const extra = [...other].filter((name) => !schema.has(name));
    if (missing.length > 0) problems.push(`${label} lacks ${missing.sort().join(', ')} of the config schema`);
    if (extra.length > 0) problems.push(`${label} sets ${extra.sort().join(', ')}, which the config schema does not declare`);
  };
  sameSet('the Kubernetes Deployment', kubernetesSet);
  sameSet('.env.example', example.keys());
  if (project.compose) {
    const compose = parse(project.compose) as { services?: { app?: { environment?: Record<string, unknown> } } };
    sameSet('compose.yaml (app service)', Object.keys(compose.services?.app?.environment ?? {}));
  }
  for (const name of secrets) if (fromConfigMaps.includes(name) || literal.includes(name)) problems.push(`secret ${name} is set as a plain value instead of a secretKeyRef`);
  for (const name of referenced) if (!secrets.has(name)) problems.push(`${name} comes from a Secret but is not a secret variable of the config schema`);

  // Ports and probes.
  const configValue = (name: string) => {
    for (const map of configMaps.values()) if (map.data?.[name] !== undefined && map.data[name] !== '') return map.data[name];
    return undefined;
  };
  const port = Number(configValue('PORT'));
  const http = app.ports?.find((entry) => entry.name === 'http');
  if (!http) problems.push('the app container declares no port named http');
  else if (http.containerPort !== port) problems.push(`containerPort ${http.containerPort} differs from PORT ${configValue('PORT')}`);
  for (const [kind, probe] of [
    ['startupProbe', app.startupProbe],
    ['livenessProbe', app.livenessProbe],
    ['readinessProbe', app.readinessProbe],
  ] as const) {
    if (!probe?.httpGet) {
      problems.push(`the app container has no HTTP ${kind}`);
      continue;
    }
    const probePort = probe.httpGet.port;
    if (typeof probePort === 'string' ? !app.ports?.some((entry) => entry.name === probePort) : probePort !== port) problems.push(`${kind} uses port ${probePort}, which the container does not declare`);
    if (!project.health.includes(`'${probe.httpGet.path}'`)) problems.push(`${kind} path ${probe.httpGet.path} is not a route of src/health.ts`);
  }
  if (app.livenessProbe?.httpGet?.path === app.readinessProbe?.httpGet?.path) problems.push('livenessProbe and readinessProbe check the same path');

  // Identity matches the image.
  const user = dockerfileUser(project.dockerfile);
  for (const workload of objects.filter((object) => podSpecOf(object))) {
    const spec = podSpecOf(workload) as PodSpec;
    for (const container of spec.containers) {
      const uid = container.securityContext?.runAsUser ?? spec.securityContext?.runAsUser;
      const gid = container.securityContext?.runAsGroup ?? spec.securityContext?.runAsGroup;
      if (!user) problems.push('the Dockerfile has no numeric USER uid:gid');
      else if (uid !== user.uid || gid !== user.gid) problems.push(`${workload.kind} ${workload.metadata?.name} runs as ${uid}:${gid}, the image's USER is ${user.uid}:${user.gid}`);
      const image = container.image ?? '';
      if (!/[:@]/.test(image.split('/').at(-1) ?? '') || /:latest(@|$)/.test(image)) problems.push(`${workload.kind} ${workload.metadata?.name} uses image "${image}" without a pinned tag or digest`);
    }
  }

  // Shutdown fits in the grace period.
  const preStop = app.lifecycle?.preStop?.sleep?.seconds ?? 0;
  const timeoutSeconds = Math.ceil(Number(configValue('SHUTDOWN_TIMEOUT_MS') ?? Number.NaN) / 1000);
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  if (!Number.isFinite(timeoutSeconds)) problems.push('SHUTDOWN_TIMEOUT_MS has no value in the ConfigMap');
  else if (grace <= preStop + timeoutSeconds) problems.push(`terminationGracePeriodSeconds ${grace} is not above preStop ${preStop} s + SHUTDOWN_TIMEOUT_MS ${timeoutSeconds} s`);

  // NetworkPolicy ports.
  const allowed = new Set([port, DNS_PORT, ...dependencyPorts(example)]);
  for (const policy of named('NetworkPolicy')) {
    // A policy for other pods of the service (a backup CronJob, say) is about their dependencies, not the app's.
    const component = (policy.spec?.podSelector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels?.['app.kubernetes.io/component'];
    if (component !== undefined && component !== 'api') continue;
    const rules = [...((policy.spec?.ingress as { ports?: { port: number | string }[] }[]) ?? []), ...((policy.spec?.egress as { ports?: { port: number | string }[] }[]) ?? [])];
    for (const rule of rules) {
      for (const entry of rule.ports ?? []) {
        const value = typeof entry.port === 'string' ? app.ports?.find((candidate) => candidate.name === entry.port)?.containerPort : entry.port;
        if (value === undefined || !allowed.has(value)) problems.push(`NetworkPolicy ${policy.metadata?.name} allows port ${entry.port}, which is neither the app's, DNS, nor a dependency's port`);
      }
    }
  }

  // Replicas, autoscaling and disruption budget.
  const hpa = named('HorizontalPodAutoscaler').find((object) => (object.spec?.scaleTargetRef as { name?: string } | undefined)?.name === deployment.metadata?.name);
  const pdb = named('PodDisruptionBudget')[0];
  if (!hpa) problems.push('no HorizontalPodAutoscaler targets the Deployment');
  else {
    const minReplicas = Number(hpa.spec?.minReplicas ?? 1);
    if ((deployment.spec as { replicas?: number }).replicas !== undefined) problems.push('the Deployment sets replicas although an HPA owns the count');
    if (overlay === 'production' && minReplicas < 2) problems.push(`production HPA minReplicas is ${minReplicas}, below 2`);
    const minAvailable = pdb?.spec?.minAvailable;
    if (!pdb) problems.push('no PodDisruptionBudget');
    else if (typeof minAvailable === 'number' && minAvailable > minReplicas) problems.push(`PodDisruptionBudget minAvailable ${minAvailable} exceeds HPA minReplicas ${minReplicas}`);
  }
  return problems;
}

export const kubernetesConsistencyCheck: Check = {
  name: 'kubernetes-consistency',
  inputs: ['deploy/kubernetes/**', 'Dockerfile', 'src/config.ts', 'src/health.ts', '.env.example', 'compose.yaml'],
  appliesTo: ['deploy/kubernetes/**'],
  async tool(): Promise<string> {
    const result = await runTool('kubectl', ['version', '--client', '--output=json']);
    const version = (JSON.parse(result.stdout) as { kustomizeVersion?: string }).kustomizeVersion;
    if (result.code !== 0 || !version) throw new Error(`kubectl version failed: ${result.stderr}`);
    return `kustomize ${version} (kubectl)`;
  },
  async run(directory: string, _context: CheckContext): Promise<Finding[]> {
    const read = (path: string) => readFileSync(join(directory, path), 'utf8');
    const optional = (path: string) => {
      try {
        return read(path);
      } catch {
        return undefined;
      }
    };
    const project = { config: read('src/config.ts'), example: read('.env.example'), dockerfile: read('Dockerfile'), health: read('src/health.ts'), compose: optional('compose.yaml') };
    const findings: Finding[] = [];
    for (const overlay of readdirSync(join(directory, OVERLAYS)).sort()) {
      const built = await runTool('kubectl', ['kustomize', join(OVERLAYS, overlay)], { cwd: directory });
      if (built.code !== 0) {
        findings.push({ file: `${OVERLAYS}/${overlay}/kustomization.yaml`, message: `kustomize build failed: ${built.stderr.trim()}` });
        continue;
      }
      const objects = parseAllDocuments(built.stdout).map((document) => document.toJS() as Manifest);
      for (const problem of overlayFindings(overlay, objects, project)) findings.push({ file: `${OVERLAYS}/${overlay}/kustomization.yaml`, message: `${overlay}: ${problem}` });
    }
    return findings;
  },
};

export default kubernetesConsistencyCheck;

if (import.meta.main) await runStandalone(kubernetesConsistencyCheck);
