/**
 * shellcheck (every severity down to style, sourced files followed) and
 * `shfmt -d` (2-space indent, indented case, redirect operators spaced,
 * as the scripts are written) on every generated shell script.
 * A script must be clean, not quieted: findings at severity "style" count.
 *
 *   node matrix/checks/shellcheck.ts <project-dir>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone, toolPath } from '../support/direct-run.ts';
import { runChecked, runTool } from '../support/process.ts';

interface ShellcheckComment {
  file: string;
  line: number;
  level: string;
  code: number;
  message: string;
}

/** The shfmt flags the scripts are formatted with (shfmt v3: -i indent, -bn pipes and && lead continued lines, -ci indented case, -sr spaced redirects). */
export const SHFMT_FLAGS = ['-i', '2', '-bn', '-ci', '-sr'] as const;

export const shellcheckCheck: Check = {
  name: 'shellcheck',
  inputs: ['**/*.sh'],
  async tool(context: CheckContext): Promise<string> {
    const shellcheck = await runChecked(toolPath(context, 'shellcheck'), ['--version']);
    const shfmt = await runChecked(toolPath(context, 'shfmt'), ['--version']);
    const version = /version: (\S+)/.exec(shellcheck)?.[1];
    if (!version) throw new Error(`shellcheck --version printed no version: ${shellcheck.trim()}`);
    return `shellcheck ${version} shfmt ${shfmt.trim()}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const files = context.files ?? [];
    if (files.length === 0) return [{ message: 'no shell script to check' }];
    const findings: Finding[] = [];
    const lint = await runTool(toolPath(context, 'shellcheck'), ['--format=json', '--external-sources', '--severity=style', ...files], { cwd: directory });
    if (lint.code > 1 || !lint.stdout.trim().startsWith('[')) throw new Error(`shellcheck failed to run (exit ${lint.code}): ${lint.stderr}`);
    for (const comment of JSON.parse(lint.stdout) as ShellcheckComment[]) {
      findings.push({ file: comment.file, message: `line ${comment.line}: SC${comment.code} (${comment.level}) ${comment.message}` });
    }
    for (const file of files) {
      if (!readFileSync(join(directory, file), 'utf8').startsWith('#!') && !file.includes('/lib/')) findings.push({ file, message: 'no #! line: scripts outside lib/ are run, not sourced' });
      const format = await runTool(toolPath(context, 'shfmt'), ['-d', ...SHFMT_FLAGS, file], { cwd: directory });
      if (format.code !== 0) findings.push({ file, message: `not shfmt-formatted (shfmt -d ${SHFMT_FLAGS.join(' ')}):\n${(format.stdout || format.stderr).trim()}` });
    }
    return findings;
  },
};

export default shellcheckCheck;

if (import.meta.main) await runStandalone(shellcheckCheck);
