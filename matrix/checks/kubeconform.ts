/**
 * Every rendered overlay against the strict JSON schemas of the pinned
 * Kubernetes version (generators/core/versions.json kubernetes.version, from
 * the PyPI package kubernetes-validate) and of the custom resources generated
 * projects use (cert-manager, Prometheus Operator, External Secrets
 * Operator, converted from their CRDs): unknown fields, wrong types and
 * objects without a schema are findings. No network, no -ignore-missing-schemas.
 *
 *   node matrix/checks/kubeconform.ts <project-dir>
 */
import { mkdirSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runTool } from '../support/process.ts';
import { runStandalone } from '../support/direct-run.ts';
import {
  buildHelperHash,
  findKustomize,
  findObject,
  inUnit,
  installedSchemas,
  kubernetesInputs,
  kubernetesVersion,
  objectFinding,
  renderOverlays,
  toolCommand,
  toolVersion,
  unitRoots,
  withTemporaryDirectory,
  writeRenderings,
  type RenderedOverlay,
  type UnitRoot,
} from './kubernetes/build.ts';

interface KubeconformResult {
  resources?: {
    filename: string;
    kind: string;
    name: string;
    version: string;
    status: 'statusValid' | 'statusInvalid' | 'statusError' | 'statusSkipped' | 'statusEmpty';
    msg: string;
    validationErrors?: { path: string; msg: string }[];
  }[];
  summary?: { valid: number; invalid: number; errors: number; skipped: number };
}

/**
 * The schema violations of an invalid resource, as "at '/spec': additional
 * properties 'replicaz' not allowed". kubeconform names them in
 * validationErrors, except behind a $ref (the Kubernetes schemas), where only
 * its message carries them.
 */
function problems(resource: NonNullable<KubeconformResult['resources']>[number]): string[] {
  const detailed = (resource.validationErrors ?? []).filter((error) => error.msg && error.msg !== 'validation failed').map((error) => `at '${error.path || '/'}': ${error.msg}`);
  if (detailed.length > 0) return detailed;
  const start = resource.msg.indexOf("- at '");
  if (start === -1) return [resource.msg];
  return resource.msg
    .slice(start)
    .split(/\n?\s*- (?=at ')/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

export const kubeconformCheck: Check = {
  name: 'kubeconform',
  inputs: kubernetesInputs,
  granularity: 'project',
  batch: 25,
  timeoutMs: 15 * 60_000,
  async tool(context: CheckContext): Promise<string> {
    const version = await toolVersion(toolCommand(context, 'kubeconform'), ['-v']);
    const { manifest } = installedSchemas(context);
    const kustomize = await findKustomize(context);
    return `kubeconform ${version}; Kubernetes ${manifest.kubernetesVersion} schemas from kubernetes-validate ${manifest.kubernetesValidate}; CRDs from ${manifest.crdModules.join(', ')}; converter ${manifest.converter}; ${kustomize.version}; build helper ${buildHelperHash}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const schemas = installedSchemas(context);
    const findings: Finding[] = [];
    await withTemporaryDirectory('kubeconform-', async (scratch) => {
      // One run for every overlay of every unit: loading the schemas is most of the time.
      const overlayOf = new Map<string, { unit: UnitRoot; overlay: RenderedOverlay }>();
      for (const [index, unit] of unitRoots(directory, context).entries()) {
        const rendering = await renderOverlays(unit.root, context);
        findings.push(...rendering.findings.map((finding) => inUnit(unit, finding)));
        const target = join(scratch, String(index));
        mkdirSync(target);
        for (const [name, path] of writeRenderings(rendering.overlays, target)) overlayOf.set(path, { unit, overlay: rendering.overlays.find((overlay) => overlay.name === name) as RenderedOverlay });
      }
      if (overlayOf.size === 0) return;
      const args = [
        '-strict',
        '-summary',
        '-output',
        'json',
        '-kubernetes-version',
        kubernetesVersion,
        '-schema-location',
        join(schemas.kubernetes, '{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json'),
        '-schema-location',
        join(schemas.crds, '{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'),
        ...overlayOf.keys(),
      ];
      const result = await runTool(toolCommand(context, 'kubeconform'), args, { timeoutMs: 10 * 60_000 });
      let parsed: KubeconformResult;
      try {
        parsed = JSON.parse(result.stdout) as KubeconformResult;
      } catch {
        throw new Error(`kubeconform printed no JSON (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
      }
      // kubeconform validates in parallel: sort for a stable report.
      const resources = (parsed.resources ?? []).toSorted((a, b) => `${a.filename} ${a.kind} ${a.name}`.localeCompare(`${b.filename} ${b.kind} ${b.name}`));
      for (const resource of resources) {
        if (resource.status === 'statusValid') continue;
        const source = overlayOf.get(normalize(resource.filename));
        if (!source) throw new Error(`kubeconform reported a file it was not given: ${resource.filename}`);
        const { unit, overlay } = source;
        const rendered = findObject(overlay, resource.kind, resource.name);
        const what = rendered ? '' : `${resource.kind} ${resource.name}: `;
        const report = (message: string) => findings.push(inUnit(unit, objectFinding(overlay, rendered, message)));
        if (resource.status === 'statusInvalid') {
          for (const problem of problems(resource)) report(`${what}${resource.version} ${problem}`);
        } else if (resource.status === 'statusError' && /could not find schema/i.test(resource.msg)) {
          report(`${what}no schema for ${resource.version} ${resource.kind} (Kubernetes ${kubernetesVersion}, or a CRD the matrix knows): ${resource.msg}`);
        } else {
          report(`${what}${resource.status.replace(/^status/, '').toLowerCase()}: ${resource.msg}`);
        }
      }
      if (result.code !== 0 && !parsed.resources?.some((resource) => resource.status !== 'statusValid')) {
        throw new Error(`kubeconform exited ${result.code} without naming an invalid resource: ${result.stderr.trim()}`);
      }
      const summary = parsed.summary;
      context.log(`kubeconform: ${summary ? `${summary.valid} valid, ${summary.invalid} invalid, ${summary.errors} errors, ${summary.skipped} skipped` : 'no summary'}`);
    });
    return findings;
  },
};

export default kubeconformCheck;

if (import.meta.main) await runStandalone(kubeconformCheck);
