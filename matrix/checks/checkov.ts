/**
 * checkov's Kubernetes policies (CKV_K8S_*, and the graph policies CKV2_K8S_*)
 * on every rendered overlay, one file per object, offline (--skip-download):
 * every failed policy is a finding, except the documented skips below.
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
  kubernetesInputs,
  objectFinding,
  renderOverlays,
  toolCommand,
  toolVersion,
  withTemporaryDirectory,
  type RenderedObject,
  type RenderedOverlay,
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

/** checkov on one rendered overlay, written to `target` one file per object. */
async function scan(checkov: string, overlay: RenderedOverlay, target: string): Promise<{ findings: Finding[]; summary: string }> {
  mkdirSync(target);
  const byFile = new Map<string, RenderedObject>();
  overlay.objects.forEach((rendered, index) => {
    const name = `${String(index).padStart(3, '0')}-${(rendered.object.kind ?? 'object').toLowerCase()}-${(rendered.object.metadata?.name ?? 'unnamed').replace(/[^A-Za-z0-9_.-]/g, '_')}.yaml`;
    writeFileSync(join(target, name), stringify(rendered.object));
    byFile.set(name, rendered);
  });
  const args = ['--directory', '.', '--framework', 'kubernetes', '--skip-download', '--output', 'json', '--compact', '--quiet', '--skip-check', Object.keys(checkovSkips).join(',')];
  // A HOME of its own: no user-level checkov configuration can change the policies.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: target, LANG: 'C.UTF-8' };
  const result = await runTool(checkov, args, { cwd: target, env, timeoutMs: 5 * 60_000 });
  let reports: CheckovReport[];
  try {
    const parsed = JSON.parse(result.stdout) as unknown;
    reports = (Array.isArray(parsed) ? parsed : [parsed]).filter((value): value is CheckovReport => typeof value === 'object' && value !== null && 'results' in value);
  } catch {
    throw new Error(`checkov printed no JSON for overlay ${overlay.name} (exit ${result.code}): ${(result.stderr.trim() || result.stdout.trim()).slice(0, 2000)}`);
  }
  const findings: Finding[] = [];
  for (const report of reports) {
    for (const error of report.results.parsing_errors ?? []) findings.push(objectFinding(overlay, byFile.get(basename(error)), `checkov cannot parse ${basename(error)}`));
    for (const failure of report.results.failed_checks) {
      const rendered = byFile.get(basename(failure.file_path));
      const what = rendered ? '' : `${failure.resource}: `;
      findings.push(objectFinding(overlay, rendered, `${what}${failure.check_id} ${failure.check_name}${failure.guideline ? ` (${failure.guideline})` : ''}`));
    }
  }
  if (result.code !== 0 && findings.length === 0) throw new Error(`checkov exited ${result.code} on overlay ${overlay.name} without a failed policy: ${result.stderr.trim().slice(0, 2000)}`);
  if (reports.length === 0 && overlay.objects.length > 0) throw new Error(`checkov reported nothing on overlay ${overlay.name} (exit ${result.code}): ${result.stderr.trim().slice(0, 2000)}`);
  return { findings, summary: reports.map((report) => `${report.summary.passed} passed, ${report.summary.failed} failed`).join('; ') };
}

export const checkovCheck: Check = {
  name: 'checkov',
  inputs: kubernetesInputs,
  granularity: 'project',
  timeoutMs: 10 * 60_000,
  async tool(context: CheckContext): Promise<string> {
    const version = await toolVersion(toolCommand(context, 'checkov'), ['--version']);
    const kustomize = await findKustomize(context);
    return `checkov ${version}; ${kustomize.version}; build helper ${buildHelperHash}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const { overlays, findings } = await renderOverlays(directory, context);
    await withTemporaryDirectory('checkov-', async (scratch) => {
      // One checkov process per overlay (given several directories, checkov 3.3 repeats earlier
      // directories' failures under later ones), run side by side; one file per object, so a
      // failure names its object.
      const results = await Promise.all(overlays.map((overlay) => scan(toolCommand(context, 'checkov'), overlay, join(scratch, overlay.name))));
      for (const [index, result] of results.entries()) {
        findings.push(...result.findings);
        context.log(`checkov: overlay ${overlays[index]?.name}: ${result.summary}`);
      }
    });
    return findings;
  },
};

export default checkovCheck;

if (import.meta.main) await runStandalone(checkovCheck);
