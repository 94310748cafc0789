/**
 * No generated file contains anything that looks like a secret, by gitleaks'
 * default rules. The generated project's own gitleaks configuration and
 * allow-comments are deliberately not used: the templates get no exceptions.
 */
import type { Check, Finding } from '../check.ts';
import { checkedFiles } from '../check-helpers.ts';
import { runTool } from '../support/process.ts';

interface Leak {
  RuleID: string;
  Description: string;
  StartLine: number;
  File: string;
}

const check: Check = {
  name: 'secret-scan',
  inputs: ['**'],
  granularity: 'file',
  batch: 500,
  async tool() {
    const { code, stdout, stderr } = await runTool('gitleaks', ['version']);
    if (code !== 0) throw new Error(`gitleaks version failed: ${stderr}`);
    return `gitleaks ${stdout.trim()}`;
  },
  async run(directory, context) {
    const checked = new Set(checkedFiles(directory, context, true).map(({ file }) => file));
    const { GITLEAKS_CONFIG: _config, GITLEAKS_CONFIG_TOML: _toml, ...env } = process.env;
    const result = await runTool(
      'gitleaks',
      ['dir', '.', '--no-banner', '--report-format', 'json', '--report-path', '-', '--exit-code', '0', '--redact', '--ignore-gitleaks-allow', '--log-level', 'error', '--max-decode-depth', '5'],
      { cwd: directory, env },
    );
    if (result.code !== 0) throw new Error(`gitleaks exited with ${result.code}: ${result.stderr.trim()}`);
    const leaks = JSON.parse(result.stdout || '[]') as Leak[];
    return leaks.map(
      (leak): Finding => ({
        file: leak.File,
        message: `line ${leak.StartLine}: ${leak.RuleID}: ${leak.Description}${checked.has(leak.File) ? '' : ' (in a file that was not to be checked)'}`,
      }),
    );
  },
};

export default check;
