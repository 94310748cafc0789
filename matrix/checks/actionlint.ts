/**
 * actionlint on every generated GitHub Actions workflow, with shellcheck
 * checking every `run:` block: any finding fails (syntax, expressions,
 * untrusted input in scripts, unknown keys, shell mistakes).
 *
 *   node matrix/checks/actionlint.ts <project-dir>
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone, toolPath } from '../support/direct-run.ts';
import { findProgram, runChecked, runTool } from '../support/process.ts';

interface ActionlintError {
  message: string;
  filepath: string;
  line: number;
  column: number;
  kind: string;
}

/** shellcheck's path; actionlint silently skips `run:` blocks without it, so a missing shellcheck is an error. */
function shellcheck(context: CheckContext): string {
  const installed = toolPath(context, 'shellcheck');
  return installed === 'shellcheck' ? findProgram('shellcheck') : installed;
}

export const actionlintCheck: Check = {
  name: 'actionlint',
  inputs: ['.github/workflows/*.yml', '.github/workflows/*.yaml'],
  async tool(context: CheckContext): Promise<string> {
    const version = (await runChecked(toolPath(context, 'actionlint'), ['-version'])).split('\n')[0]?.trim();
    const shellcheckVersion = /version: (\S+)/.exec(await runChecked(shellcheck(context), ['--version']))?.[1];
    if (!version || !shellcheckVersion) throw new Error('actionlint or shellcheck printed no version');
    return `actionlint ${version}, shellcheck ${shellcheckVersion}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const workflows = readdirSync(join(directory, '.github', 'workflows'))
      .filter((file) => /\.ya?ml$/.test(file))
      .sort()
      .map((file) => `.github/workflows/${file}`);
    const result = await runTool(toolPath(context, 'actionlint'), ['-format', '{{json .}}', '-shellcheck', shellcheck(context), '-pyflakes', '', ...workflows], { cwd: directory });
    if (result.code !== 0 && result.code !== 1) throw new Error(`actionlint failed to run (exit ${result.code}): ${result.stderr}`);
    const errors = JSON.parse(result.stdout.trim() || '[]') as ActionlintError[];
    if (result.code === 1 && errors.length === 0) throw new Error(`actionlint exited 1 without findings: ${result.stderr}`);
    return errors.map((error) => ({ file: error.filepath, message: `line ${error.line}:${error.column}: ${error.message} [${error.kind}]` }));
  },
};

export default actionlintCheck;

if (import.meta.main) await runStandalone(actionlintCheck);
