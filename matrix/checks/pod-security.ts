/**
 * Pod Security Standards "restricted" on every rendered overlay: the kyverno
 * CLI applies a ClusterPolicy with validate.podSecurity (level restricted,
 * version latest, Enforce), Kubernetes' own PSS checks, to every object with
 * a pod template (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod,
 * ReplicaSet). Every violation is a finding naming the object and the
 * control. A Namespace must also carry the pod-security.kubernetes.io
 * enforce, audit and warn labels set to "restricted". Up to 25 projects share
 * one kyverno run (batch).
 *
 *   node matrix/checks/pod-security.ts <project-dir>
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runTool } from '../support/process.ts';
import { runStandalone } from '../support/direct-run.ts';
import {
  buildHelperHash,
  findKustomize,
  inIsolatedNamespace,
  inUnit,
  kubernetesInputs,
  objectFinding,
  renderOverlays,
  toolCommand,
  toolVersion,
  unitRoots,
  withTemporaryDirectory,
  type RenderedObject,
  type RenderedOverlay,
  type UnitRoot,
} from './kubernetes/build.ts';

/** Kinds that carry a pod (template) and the admission controller checks. */
export const podKinds = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob'] as const;
const namespaceModes = ['enforce', 'audit', 'warn'] as const;

/**
 * The policy: kyverno's built-in Pod Security Admission engine, at the
 * restricted level of the newest Pod Security Standards it knows. Rules on
 * Pods are extended by kyverno to the pod templates of the controllers.
 */
const policy = {
  apiVersion: 'kyverno.io/v1',
  kind: 'ClusterPolicy',
  metadata: {
    name: 'pod-security-restricted',
    annotations: { 'pod-policies.kyverno.io/autogen-controllers': 'DaemonSet,Deployment,Job,StatefulSet,ReplicaSet,ReplicationController,CronJob' },
  },
  spec: {
    background: true,
    rules: [
      {
        name: 'restricted',
        match: { any: [{ resources: { kinds: ['Pod'] } }] },
        // Enforce, set on the rule: kyverno 1.13 deprecated spec.validationFailureAction for validate.failureAction.
        validate: { failureAction: 'Enforce', podSecurity: { level: 'restricted', version: 'latest' } },
      },
    ],
  },
};

interface PolicyReportResult {
  policy?: string;
  rule?: string;
  result?: 'pass' | 'fail' | 'warn' | 'error' | 'skip';
  message?: string;
  properties?: Record<string, string>;
  resources?: { kind?: string; name?: string; namespace?: string; apiVersion?: string }[];
}

function namespaceFindings(overlay: RenderedOverlay): Finding[] {
  const findings: Finding[] = [];
  for (const rendered of overlay.objects.filter(({ object }) => object.kind === 'Namespace' && object.apiVersion === 'v1')) {
    const labels = rendered.object.metadata?.labels ?? {};
    for (const mode of namespaceModes) {
      const label = `pod-security.kubernetes.io/${mode}`;
      const value = labels[label];
      if (value !== 'restricted') {
        findings.push(objectFinding(overlay, rendered, value === undefined ? `label ${label} is missing, it must be "restricted"` : `label ${label} is "${value}", it must be "restricted"`));
      }
    }
  }
  return findings;
}

/**
 * What a failed result says, control by control: kyverno's message holds
 * "(Forbidden reason: runAsNonRoot != true, field error list: [spec...: Required value])"
 * per violated control, and properties.controls their ids.
 */
function violations(result: PolicyReportResult): string {
  const message = (result.message ?? '').replace(/\s+/g, ' ');
  const reasons = [...message.matchAll(/\(Forbidden reason: (.*?), field error list: \[(.*?)\]\)/g)].map((match) => `${match[1]}: ${match[2]}`);
  const controls = result.properties?.controls ? `controls ${result.properties.controls.split(',').join(', ')}` : '';
  return [controls, reasons.length > 0 ? reasons.join('; ') : message.trim()].filter((part) => part !== '').join(': ') || 'no detail';
}

export const podSecurityCheck: Check = {
  name: 'pod-security',
  inputs: kubernetesInputs,
  granularity: 'project',
  batch: 25,
  timeoutMs: 15 * 60_000,
  async tool(context: CheckContext): Promise<string> {
    const version = await toolVersion(toolCommand(context, 'kyverno'), ['version'], /Version:\s*v?(\d+\.\d+\.\d+)/);
    const kustomize = await findKustomize(context);
    return `kyverno ${version}; ${kustomize.version}; build helper ${buildHelperHash}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const findings: Finding[] = [];
    await withTemporaryDirectory('pod-security-', async (scratch) => {
      const policyPath = join(scratch, 'policy.yaml');
      writeFileSync(policyPath, stringify(policy));
      // One kyverno run for every overlay of every unit (its start-up is most of the time): each
      // overlay's objects in namespaces of their own, so a result names exactly one object.
      const scanned = new Map<string, { unit: UnitRoot; overlay: RenderedOverlay; rendered: RenderedObject }>();
      const resources: string[] = [];
      for (const unit of unitRoots(directory, context)) {
        const rendering = await renderOverlays(unit.root, context);
        findings.push(...rendering.findings.map((finding) => inUnit(unit, finding)));
        for (const overlay of rendering.overlays) {
          findings.push(...namespaceFindings(overlay).map((finding) => inUnit(unit, finding)));
          const pods = overlay.objects.filter(({ object }) => (podKinds as readonly string[]).includes(object.kind ?? ''));
          if (pods.length === 0) {
            context.log(`pod-security: overlay ${overlay.name} has no object with a pod template`);
            continue;
          }
          const scope = `o${resources.length}`;
          const isolated = pods.map((rendered) => {
            const object = inIsolatedNamespace(rendered.object, scope);
            object.metadata = { ...object.metadata, namespace: object.metadata?.namespace ?? scope };
            scanned.set(`${object.kind}/${object.metadata.namespace}/${object.metadata.name}`, { unit, overlay, rendered });
            return object;
          });
          const path = join(scratch, `${scope}.yaml`);
          writeFileSync(path, isolated.map((object) => stringify(object)).join('---\n'));
          resources.push(path);
        }
      }
      if (resources.length === 0) return;
      const result = await runTool(toolCommand(context, 'kyverno'), ['apply', policyPath, ...resources.map((path) => `--resource=${path}`), '--policy-report', '--output-format', 'json', '--remove-color'], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch },
        timeoutMs: 10 * 60_000,
      });
      // The report is one line of JSON; kyverno prints its warnings (the deprecation of kyverno.io/v1
      // ClusterPolicy in 1.19) on stdout too.
      const results: PolicyReportResult[] = [];
      for (const line of result.stdout.split('\n').filter((candidate) => candidate.startsWith('{'))) {
        // A (Cluster)PolicyReport, or an openreports.io ClusterReport (kyverno 1.19).
        const report = JSON.parse(line) as { kind?: string; results?: PolicyReportResult[] };
        if (/Report$/.test(report.kind ?? '') && Array.isArray(report.results)) results.push(...report.results);
      }
      const checked = results.filter((entry) => entry.policy === policy.metadata.name);
      if (checked.length === 0) throw new Error(`kyverno apply reported no result (exit ${result.code}): ${(result.stderr.trim() || result.stdout.trim()).slice(0, 2000)}`);
      // Every object with a pod template must have been judged: one kyverno skipped would be a silent pass.
      const judged = new Set(checked.flatMap((entry) => (entry.resources ?? []).map((resource) => `${resource.kind}/${resource.namespace ?? ''}/${resource.name}`)));
      const unjudged = [...scanned].filter(([key]) => !judged.has(key));
      if (unjudged.length > 0) throw new Error(`kyverno apply reported nothing on ${unjudged.map(([, { overlay, rendered }]) => `${rendered.label} (overlay ${overlay.name})`).join(', ')}`);
      for (const entry of checked) {
        if (entry.result === 'pass' || entry.result === 'skip') continue;
        const verdict = entry.result === 'fail' ? 'violates Pod Security Standard restricted' : `kyverno ${entry.result}`;
        for (const resource of entry.resources ?? []) {
          const object = scanned.get(`${resource.kind}/${resource.namespace ?? ''}/${resource.name}`);
          if (!object) throw new Error(`kyverno reported ${resource.kind} ${resource.name} (namespace ${resource.namespace ?? '-'}), which it was not given`);
          findings.push(inUnit(object.unit, objectFinding(object.overlay, object.rendered, `${verdict}: ${violations(entry)}`)));
        }
        if (!entry.resources?.length) throw new Error(`kyverno reported a ${entry.result} without a resource: ${entry.message ?? ''}`);
      }
      context.log(`pod-security: ${resources.length} overlays, ${checked.length} results`);
    });
    return findings;
  },
};

export default podSecurityCheck;

if (import.meta.main) await runStandalone(podSecurityCheck);
