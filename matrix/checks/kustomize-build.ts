/**
 * The Kustomize layout under deploy/kubernetes/ builds, cleanly: base/ plus
 * overlays/staging and overlays/production, optional features as
 * components/<name>/ of kind Component, every overlay built with kustomize
 * without a warning, and none of the deprecated kustomization fields.
 *
 *   node matrix/checks/kustomize-build.ts <project-dir>
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone } from '../support/direct-run.ts';
import { buildHelperHash, findKustomize, kubernetesInputs, kubernetesRoot, kustomizationNames, overlaysRoot, renderOverlays } from './kubernetes/build.ts';

/** Deprecated kustomization fields and what replaces each (Kustomize v5 `kustomize edit fix`). */
const deprecatedFields: Record<string, string> = {
  bases: 'list the directories under resources',
  patchesStrategicMerge: 'use patches',
  patchesJson6902: 'use patches (with target)',
  vars: 'use replacements',
  commonLabels: 'use labels (with includeSelectors only where selectors must change)',
};

const requiredOverlays = ['staging', 'production'] as const;

/** Every kustomization file under deploy/kubernetes/, project-relative. */
function kustomizations(directory: string, relative = kubernetesRoot): string[] {
  const absolute = join(directory, relative);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { withFileTypes: true }).flatMap((entry) => {
    const path = `${relative}/${entry.name}`;
    if (entry.isDirectory()) return kustomizations(directory, path);
    return (kustomizationNames as readonly string[]).includes(entry.name) ? [path] : [];
  });
}

function hasKustomization(directory: string, relative: string): boolean {
  return kustomizationNames.some((name) => existsSync(join(directory, relative, name)));
}

/** What is wrong in one kustomization file, read as YAML. */
function kustomizationFindings(directory: string, file: string): Finding[] {
  const document = parseDocument(readFileSync(join(directory, file), 'utf8'));
  if (document.errors.length > 0) return [{ file, message: `not valid YAML: ${document.errors[0]?.message ?? ''}` }];
  const content = document.toJS() as Record<string, unknown> | null;
  if (!content || typeof content !== 'object') return [{ file, message: 'is empty or not a mapping' }];
  const findings: Finding[] = [];
  for (const [field, replacement] of Object.entries(deprecatedFields)) {
    if (field in content) findings.push({ file, message: `uses the deprecated field "${field}": ${replacement}` });
  }
  const inComponents = file.startsWith(`${kubernetesRoot}/components/`);
  if (inComponents && content.kind !== 'Component') {
    findings.push({ file, message: `is under components/ but is of kind ${String(content.kind ?? 'Kustomization')}: an optional feature must be a kind: Component (apiVersion kustomize.config.k8s.io/v1alpha1)` });
  }
  if (!inComponents && content.kind === 'Component') {
    findings.push({ file, message: 'is a Component outside components/: components live in deploy/kubernetes/components/<name>/' });
  }
  // Generated ConfigMaps and Secrets keep their hash suffix, so a change rolls the pods.
  const generatorOptions = content.generatorOptions as { disableNameSuffixHash?: unknown } | undefined;
  if (generatorOptions?.disableNameSuffixHash === true) {
    findings.push({ file, message: 'generatorOptions.disableNameSuffixHash is true: generated ConfigMaps and Secrets must keep their hash suffix so a change rolls the pods' });
  }
  for (const field of ['configMapGenerator', 'secretGenerator'] as const) {
    const generators = Array.isArray(content[field]) ? (content[field] as { name?: string; options?: { disableNameSuffixHash?: unknown } }[]) : [];
    for (const generator of generators) {
      if (generator.options?.disableNameSuffixHash === true) {
        findings.push({ file, message: `${field} ${generator.name ?? ''} sets options.disableNameSuffixHash: the generated name must keep its hash suffix so a change rolls the pods` });
      }
    }
  }
  return findings;
}

export const kustomizeBuildCheck: Check = {
  name: 'kustomize-build',
  inputs: kubernetesInputs,
  granularity: 'project',
  async tool(context: CheckContext): Promise<string> {
    const kustomize = await findKustomize(context);
    return `${kustomize.version}; build helper ${buildHelperHash}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const findings: Finding[] = [];
    if (!hasKustomization(directory, `${kubernetesRoot}/base`)) {
      findings.push({ message: `${kubernetesRoot}/base/ has no kustomization.yaml: the layout is a base plus overlays` });
    }
    for (const overlay of requiredOverlays) {
      if (!hasKustomization(directory, `${overlaysRoot}/${overlay}`)) {
        findings.push({ message: `the ${overlay} overlay is missing: ${overlaysRoot}/${overlay}/kustomization.yaml is required (overlays: ${requiredOverlays.join(', ')})` });
      }
    }
    for (const file of kustomizations(directory).sort()) findings.push(...kustomizationFindings(directory, file));

    const { overlays, findings: buildFindings } = await renderOverlays(directory, context);
    findings.push(...buildFindings);
    for (const overlay of overlays) {
      for (const warning of overlay.warnings) findings.push({ file: overlay.kustomization, message: `overlay ${overlay.name}: kustomize warns: ${warning.replace(/^#\s*/, '')}` });
      if (overlay.objects.length === 0) findings.push({ file: overlay.kustomization, message: `overlay ${overlay.name} renders no objects` });
    }
    return findings;
  },
};

export default kustomizeBuildCheck;

if (import.meta.main) await runStandalone(kustomizeBuildCheck);
