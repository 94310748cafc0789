/**
 * hadolint on the generated Dockerfile at failure threshold "warning", with
 * inline ignore pragmas disabled: the Dockerfile has to be clean, not quiet.
 *
 *   node matrix/checks/hadolint.ts <project-dir>
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone, toolPath } from '../support/direct-run.ts';
import { runChecked, runTool } from '../support/process.ts';

interface HadolintResult {
  code: string;
  level: 'error' | 'warning' | 'info' | 'style';
  line: number;
  message: string;
}

export const hadolintCheck: Check = {
  name: 'hadolint',
  inputs: ['Dockerfile'],
  async tool(context: CheckContext): Promise<string> {
    const stdout = await runChecked(toolPath(context, 'hadolint'), ['--version']);
    const version = /(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
    if (!version) throw new Error(`hadolint --version printed no version: ${stdout.trim()}`);
    return `hadolint ${version}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    // An empty HOME and XDG_CONFIG_HOME: no user-level .hadolint.yaml can relax the rules.
    const home = mkdtempSync(join(tmpdir(), 'hadolint-home-'));
    try {
      const result = await runTool(
        toolPath(context, 'hadolint'),
        ['--no-color', '--format', 'json', '--failure-threshold', 'warning', '--disable-ignore-pragma', 'Dockerfile'],
        { cwd: directory, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CONFIG_HOME: home } },
      );
      if (result.code !== 0 && !result.stdout.trim().startsWith('[')) throw new Error(`hadolint failed to run (exit ${result.code}): ${result.stderr}`);
      const results = JSON.parse(result.stdout) as HadolintResult[];
      for (const item of results.filter((entry) => entry.level === 'info' || entry.level === 'style')) {
        context.log(`hadolint ${item.level} (below the threshold): line ${item.line} ${item.code} ${item.message}`);
      }
      return results
        .filter((item) => item.level === 'error' || item.level === 'warning')
        .map((item) => ({ file: 'Dockerfile', message: `line ${item.line}: ${item.code} (${item.level}) ${item.message}` }));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
};

export default hadolintCheck;

if (import.meta.main) await runStandalone(hadolintCheck);
