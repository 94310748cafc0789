/**
 * shellcheck on the scripts CI jobs run (scripts/deploy-*.sh,
 * scripts/ci/*.sh) as POSIX sh, the shell of the job images: any finding
 * fails, from style up.
 *
 *   node matrix/checks/ci-scripts.ts <project-dir>
 */
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone, toolPath } from '../support/direct-run.ts';
import { findProgram, runChecked, runTool } from '../support/process.ts';

interface ShellcheckComment {
  file: string;
  line: number;
  column: number;
  level: string;
  code: number;
  message: string;
}

function shellcheck(context: CheckContext): string {
  const installed = toolPath(context, 'shellcheck');
  return installed === 'shellcheck' ? findProgram('shellcheck') : installed;
}

export const ciScriptsCheck: Check = {
  name: 'ci-scripts',
  inputs: ['scripts/deploy-*.sh', 'scripts/ci/*.sh'],
  granularity: 'file',
  batch: 20,
  async tool(context: CheckContext): Promise<string> {
    const version = /version: (\S+)/.exec(await runChecked(shellcheck(context), ['--version']))?.[1];
    if (!version) throw new Error('shellcheck --version printed no version');
    return `shellcheck ${version}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const files = [...(context.files ?? [])].sort();
    if (files.length === 0) throw new Error('ci-scripts got no files to check');
    const result = await runTool(shellcheck(context), ['--shell=sh', '--severity=style', '--norc', '--format=json', ...files], { cwd: directory });
    if (result.code !== 0 && result.code !== 1) throw new Error(`shellcheck failed to run (exit ${result.code}): ${result.stderr}`);
    const comments = JSON.parse(result.stdout || '[]') as ShellcheckComment[];
    return comments.map((comment) => ({ file: comment.file, message: `line ${comment.line}:${comment.column}: SC${comment.code} (${comment.level}) ${comment.message}` }));
  },
};

export default ciScriptsCheck;

if (import.meta.main) await runStandalone(ciScriptsCheck);
