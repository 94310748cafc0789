/**
 * kube-score on every rendered overlay, all default checks plus
 * container-ports-check: every WARNING and CRITICAL is a finding, except the
 * documented exceptions below (none today).
 *
 *   node matrix/checks/kube-score.ts <project-dir>
 */
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
  writeRenderings,
} from './kubernetes/build.ts';

/**
 * kube-score check ids that are not findings, each with the reason. Keep this
 * short: every entry needs a reason a reviewer would accept, and docs/matrix.md
 * lists it.
 */
export const kubeScoreExceptions: Readonly<Record<string, string>> = {};

/** Optional kube-score checks switched on as well. */
const optionalChecks = ['container-ports-check'] as const;

interface KubeScoreObject {
  object_name: string;
  type_meta: { kind: string; apiVersion: string };
  object_meta: { name?: string; namespace?: string };
  checks: {
    check: { id: string; name: string };
    grade: number;
    skipped: boolean;
    comments: { path?: string; summary: string; description?: string }[] | null;
  }[];
}

/** kube-score's grades (scorecard.Grade). */
const grades: Record<number, string> = { 1: 'CRITICAL', 5: 'WARNING' };

export const kubeScoreCheck: Check = {
  name: 'kube-score',
  inputs: kubernetesInputs,
  granularity: 'project',
  async tool(context: CheckContext): Promise<string> {
    const version = await toolVersion(toolCommand(context, 'kube-score'), ['version']);
    const kustomize = await findKustomize(context);
    return `kube-score ${version}; ${kustomize.version}; build helper ${buildHelperHash}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const { overlays, findings } = await renderOverlays(directory, context);
    await withTemporaryDirectory('kube-score-', async (scratch) => {
      const files = writeRenderings(overlays, scratch);
      for (const overlay of overlays) {
        const args = ['score', '--output-format', 'json', ...optionalChecks.flatMap((id) => ['--enable-optional-test', id]), files.get(overlay.name) as string];
        const result = await runTool(toolCommand(context, 'kube-score'), args, { timeoutMs: 120_000 });
        let objects: KubeScoreObject[];
        try {
          objects = JSON.parse(result.stdout) as KubeScoreObject[];
        } catch {
          // kube-score stops on objects it cannot parse (a wrong type, for example): that is a finding about the overlay.
          findings.push(objectFinding(overlay, undefined, `kube-score cannot score the rendered objects (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`));
          continue;
        }
        const overlayFindings: Finding[] = [];
        let excepted = 0;
        for (const object of objects) {
          const rendered = findObject(overlay, object.type_meta.kind, object.object_meta.name, object.object_meta.namespace);
          for (const check of object.checks) {
            const grade = grades[check.grade];
            if (!grade || check.skipped) continue;
            if (check.check.id in kubeScoreExceptions) {
              context.log(`kube-score: overlay ${overlay.name}: ${object.object_name} ${check.check.id} is a documented exception: ${kubeScoreExceptions[check.check.id]}`);
              excepted++;
              continue;
            }
            const comments = (check.comments ?? []).map((comment) => `${comment.path ? `${comment.path}: ` : ''}${comment.summary}${comment.description ? ` (${comment.description})` : ''}`);
            const what = rendered ? '' : `${object.type_meta.kind} ${object.object_meta.name ?? ''}: `;
            overlayFindings.push(objectFinding(overlay, rendered, `${what}[${grade}] ${check.check.name} (${check.check.id}): ${comments.join('; ') || 'no detail'}`));
          }
        }
        // kube-score's order varies from run to run: sort for a stable report.
        findings.push(...overlayFindings.toSorted((a, b) => `${a.file} ${a.message}`.localeCompare(`${b.file} ${b.message}`)));
        const reported = overlayFindings.length;
        if (result.code !== 0 && reported + excepted === 0) throw new Error(`kube-score exited ${result.code} without a finding: ${result.stderr.trim()}`);
        context.log(`kube-score: overlay ${overlay.name}: ${objects.length} objects scored, ${reported} findings`);
      }
    });
    return findings;
  },
};

export default kubeScoreCheck;

if (import.meta.main) await runStandalone(kubeScoreCheck);
