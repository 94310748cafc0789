/**
 * Pod Security Standards "restricted" on every rendered overlay, judged by
 * pod-security-check (matrix/tools/pod-security): the checks of
 * k8s.io/pod-security-admission, the library the kube-apiserver's PodSecurity
 * admission plugin runs, at level restricted, version latest, on every object
 * with a pod (template) — Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
 * ReplicationController, Job, CronJob. Every violation is a finding naming the
 * object and the control. A Namespace must also carry the
 * pod-security.kubernetes.io enforce, audit and warn labels set to
 * "restricted". Up to 25 projects share one run (batch).
 *
 *   node matrix/checks/pod-security.ts <project-dir>
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runTool } from '../support/process.ts';
import { runStandalone } from '../support/direct-run.ts';
import {
  buildHelperHash,
  findKustomize,
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

/** The CLI's own source, part of the tool version: an edit to it changes every verdict's cache key. */
const cliSource = join(import.meta.dirname, '..', 'tools', 'pod-security');
const cliHash = createHash('sha256')
  .update(['go.mod', 'go.sum', 'main.go'].map((file) => readFileSync(join(cliSource, file), 'utf8')).join('\0'))
  .digest('hex')
  .slice(0, 12);

/** One line of pod-security-check's output: the verdict on one object. */
interface PodSecurityVerdict {
  file: string;
  document: number;
  kind: string;
  namespace?: string;
  name: string;
  allowed: boolean;
  violations: { reason: string; detail?: string }[];
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

/** The controls an object violates, as the API server's admission warning words them: "reason (detail)". */
function violations(verdict: PodSecurityVerdict): string {
  return verdict.violations.map(({ reason, detail }) => (detail ? `${reason} (${detail})` : reason)).join('; ') || 'no detail';
}

export const podSecurityCheck: Check = {
  name: 'pod-security',
  inputs: kubernetesInputs,
  granularity: 'project',
  batch: 25,
  timeoutMs: 15 * 60_000,
  async tool(context: CheckContext): Promise<string> {
    const version = await toolVersion(toolCommand(context, 'pod-security-check'), ['--print-version'], /pod-security-admission (v\d+\.\d+\.\d+)/);
    const kustomize = await findKustomize(context);
    return `pod-security-check ${cliHash} (k8s.io/pod-security-admission ${version}); ${kustomize.version}; build helper ${buildHelperHash}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const findings: Finding[] = [];
    await withTemporaryDirectory('pod-security-', async (scratch) => {
      // One run for every overlay of every unit; each overlay's pod objects in a file of their
      // own, so a verdict (file, document) names exactly one object.
      const scanned = new Map<string, { unit: UnitRoot; overlay: RenderedOverlay; rendered: RenderedObject }>();
      const files: string[] = [];
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
          const path = join(scratch, `o${files.length}.yaml`);
          pods.forEach((rendered, document) => scanned.set(`${path}#${document}`, { unit, overlay, rendered }));
          writeFileSync(path, pods.map(({ object }) => stringify(object)).join('---\n'));
          files.push(path);
        }
      }
      if (files.length === 0) return;
      const result = await runTool(toolCommand(context, 'pod-security-check'), ['--level', 'restricted', '--version', 'latest', ...files], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch },
        timeoutMs: 5 * 60_000,
      });
      if (result.code !== 0) throw new Error(`pod-security-check failed (exit ${result.code}): ${(result.stderr.trim() || result.stdout.trim()).slice(0, 2000)}`);
      const verdicts = result.stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as PodSecurityVerdict);
      const judged = new Set<string>();
      for (const verdict of verdicts) {
        const key = `${verdict.file}#${verdict.document}`;
        const object = scanned.get(key);
        if (!object) throw new Error(`pod-security-check judged ${verdict.kind} ${verdict.name} (${key}), which it was not given`);
        judged.add(key);
        if (!verdict.allowed) findings.push(inUnit(object.unit, objectFinding(object.overlay, object.rendered, `violates Pod Security Standard restricted: ${violations(verdict)}`)));
      }
      // Every object with a pod template must have been judged: one skipped would be a silent pass.
      const unjudged = [...scanned].filter(([key]) => !judged.has(key));
      if (unjudged.length > 0) throw new Error(`pod-security-check reported nothing on ${unjudged.map(([, { overlay, rendered }]) => `${rendered.label} (overlay ${overlay.name})`).join(', ')}`);
      context.log(`pod-security: ${files.length} overlays, ${verdicts.length} objects judged`);
    });
    return findings;
  },
};

export default podSecurityCheck;

if (import.meta.main) await runStandalone(podSecurityCheck);
