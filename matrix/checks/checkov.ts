/**
 * checkov's Kubernetes policies (CKV_K8S_*, and the graph policies CKV2_K8S_*)
 * on every rendered overlay, one file per object, offline (--skip-download):
 * every failed policy is a finding, except the documented skips below. Up to
 * 25 projects share one checkov process (batch), each overlay isolated in a
 * namespace of its own.
 *
 *   node matrix/checks/checkov.ts <project-dir>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
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

/**
 * checkov policies that are not findings, each with the reason. Keep this
 * short: docs/matrix.md lists every entry.
 */
export const checkovSkips: Readonly<Record<string, string>> = {
  CKV_K8S_35:
    'secrets as environment variables: the generated service reads its whole configuration, secrets included, from environment variables validated at start-up (twelve-factor); the Secret comes from External Secrets and is never committed',
  CKV_K8S_43:
    'image by digest: a freshly generated project has no image yet, so the overlays name the first release tag (0.1.0); every deploy pins the built digest with `kustomize edit set image <image>=<image>@sha256:…` (docs/deployment.md), which is what the cluster then runs',
};

interface CheckovReport {
  check_type: string;
  results: {
    failed_checks: { check_id: string; check_name: string; resource: string; file_path: string; guideline?: string | null }[];
    parsing_errors?: string[];
  };
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number; resource_count: number };
}

/** One rendered object as checkov sees it: the file it was written to, and where it came from. */
interface ScannedObject {
  unit: UnitRoot;
  overlay: RenderedOverlay;
  rendered: RenderedObject;
}

/**
 * checkov over every overlay of every unit of the run, in one process (its
 * start-up costs more than scanning a few overlays): each overlay in its own
 * directory, one file per object, so a failure names its object.
 */
async function scan(checkov: string, overlays: { unit: UnitRoot; overlay: RenderedOverlay }[], target: string): Promise<Finding[]> {
  const byFile = new Map<string, ScannedObject>();
  overlays.forEach(({ unit, overlay }, index) => {
    const directory = `o${index}`;
    mkdirSync(join(target, directory));
    overlay.objects.forEach((rendered, position) => {
      const name = `${String(position).padStart(3, '0')}-${(rendered.object.kind ?? 'object').toLowerCase()}-${(rendered.object.metadata?.name ?? 'unnamed').replace(/[^A-Za-z0-9_.-]/g, '_')}.yaml`;
      writeFileSync(join(target, directory, name), stringify(inIsolatedNamespace(rendered.object, directory)));
      byFile.set(`${directory}/${name}`, { unit, overlay, rendered });
    });
  });
  const args = ['--directory', '.', '--framework', 'kubernetes', '--skip-download', '--output', 'json', '--compact', '--quiet', '--skip-check', Object.keys(checkovSkips).join(',')];
  // A HOME of its own: no user-level checkov configuration can change the policies.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: target, LANG: 'C.UTF-8' };
  const result = await runTool(checkov, args, { cwd: target, env, timeoutMs: 10 * 60_000 });
  let reports: CheckovReport[];
  try {
    const parsed = JSON.parse(result.stdout) as unknown;
    reports = (Array.isArray(parsed) ? parsed : [parsed]).filter((value): value is CheckovReport => typeof value === 'object' && value !== null && 'results' in value);
  } catch {
    throw new Error(`checkov printed no JSON (exit ${result.code}): ${(result.stderr.trim() || result.stdout.trim()).slice(0, 2000)}`);
  }
  const scanned = (path: string) => byFile.get(path.replace(/^\/+/, '').split('/').slice(-2).join('/'));
  const findings: Finding[] = [];
  const unknown = (what: string) => {
    throw new Error(`checkov reported ${what}, which names no scanned object`);
  };
  for (const report of reports) {
    for (const error of report.results.parsing_errors ?? []) {
      const object = scanned(error) ?? unknown(`a parsing error in ${error}`);
      findings.push(inUnit(object.unit, objectFinding(object.overlay, object.rendered, `checkov cannot parse ${basename(error)}`)));
    }
    for (const failure of report.results.failed_checks) {
      const object = scanned(failure.file_path) ?? unknown(`${failure.check_id} on ${failure.file_path}`);
      findings.push(inUnit(object.unit, objectFinding(object.overlay, object.rendered, `${failure.check_id} ${failure.check_name}${failure.guideline ? ` (${failure.guideline})` : ''}`)));
    }
  }
  if (result.code !== 0 && findings.length === 0) throw new Error(`checkov exited ${result.code} without a failed policy: ${result.stderr.trim().slice(0, 2000)}`);
  if (reports.length === 0 && byFile.size > 0) throw new Error(`checkov reported nothing on ${byFile.size} objects (exit ${result.code}): ${result.stderr.trim().slice(0, 2000)}`);
  return findings;
}

export const checkovCheck: Check = {
  name: 'checkov',
  inputs: kubernetesInputs,
  granularity: 'project',
  batch: 25,
  timeoutMs: 15 * 60_000,
  async tool(context: CheckContext): Promise<string> {
    const version = await toolVersion(toolCommand(context, 'checkov'), ['--version']);
    const kustomize = await findKustomize(context);
    return `checkov ${version}; ${kustomize.version}; build helper ${buildHelperHash}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const findings: Finding[] = [];
    const overlays: { unit: UnitRoot; overlay: RenderedOverlay }[] = [];
    for (const unit of unitRoots(directory, context)) {
      const rendering = await renderOverlays(unit.root, context);
      findings.push(...rendering.findings.map((finding) => inUnit(unit, finding)));
      overlays.push(...rendering.overlays.map((overlay) => ({ unit, overlay })));
    }
    if (overlays.length === 0) return findings;
    await withTemporaryDirectory('checkov-', async (scratch) => {
      findings.push(...(await scan(toolCommand(context, 'checkov'), overlays, scratch)));
      context.log(`checkov: ${overlays.length} overlays scanned`);
    });
    return findings;
  },
};

export default checkovCheck;

if (import.meta.main) await runStandalone(checkovCheck);
