/**
 * Pod Security Standards "restricted" on every rendered overlay: the kyverno
 * CLI applies a ClusterPolicy with validate.podSecurity (level restricted,
 * version latest, Enforce), Kubernetes' own PSS checks, to every object with
 * a pod template (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod,
 * ReplicaSet). Every violation is a finding naming the object and the
 * control. A Namespace must also carry the pod-security.kubernetes.io
 * enforce, audit and warn labels set to "restricted".
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
  findObject,
  kubernetesInputs,
  objectFinding,
  renderOverlays,
  toolCommand,
  toolVersion,
  withTemporaryDirectory,
  type RenderedOverlay,
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
  async tool(context: CheckContext): Promise<string> {
    const version = await toolVersion(toolCommand(context, 'kyverno'), ['version'], /Version:\s*v?(\d+\.\d+\.\d+)/);
    const kustomize = await findKustomize(context);
    return `kyverno ${version}; ${kustomize.version}; build helper ${buildHelperHash}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const { overlays, findings } = await renderOverlays(directory, context);
    await withTemporaryDirectory('pod-security-', async (scratch) => {
      const policyPath = join(scratch, 'policy.yaml');
      writeFileSync(policyPath, stringify(policy));
      for (const overlay of overlays) {
        findings.push(...namespaceFindings(overlay));
        const pods = overlay.objects.filter(({ object }) => (podKinds as readonly string[]).includes(object.kind ?? ''));
        if (pods.length === 0) {
          context.log(`pod-security: overlay ${overlay.name} has no object with a pod template`);
          continue;
        }
        const resources = join(scratch, `${overlay.name}.yaml`);
        writeFileSync(resources, pods.map(({ object }) => stringify(object)).join('---\n'));
        const result = await runTool(toolCommand(context, 'kyverno'), ['apply', policyPath, '--resource', resources, '--policy-report', '--output-format', 'json', '--remove-color'], {
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch },
          timeoutMs: 120_000,
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
        const unjudged = pods.filter(({ object }) => !judged.has(`${object.kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name}`));
        if (unjudged.length > 0) throw new Error(`kyverno apply reported nothing on ${unjudged.map(({ label }) => label).join(', ')} (overlay ${overlay.name})`);
        for (const entry of checked) {
          if (entry.result === 'pass' || entry.result === 'skip') continue;
          for (const resource of entry.resources?.length ? entry.resources : [{}]) {
            const rendered = findObject(overlay, resource.kind, resource.name, resource.namespace);
            const what = rendered ? '' : `${resource.kind ?? '?'} ${resource.name ?? '?'}: `;
            const verdict = entry.result === 'fail' ? 'violates Pod Security Standard restricted' : `kyverno ${entry.result}`;
            findings.push(objectFinding(overlay, rendered, `${what}${verdict}: ${violations(entry)}`));
          }
        }
        context.log(`pod-security: overlay ${overlay.name}: ${checked.map((entry) => entry.result).join(', ')}`);
      }
    });
    return findings;
  },
};

export default podSecurityCheck;

if (import.meta.main) await runStandalone(podSecurityCheck);
