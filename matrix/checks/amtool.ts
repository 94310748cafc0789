/**
 * The Alertmanager configuration with amtool: `amtool check-config`, then
 * every case of route-tests.yaml through `amtool config routes test
 * --verify.receivers`, which fails when the labels reach other receivers.
 *
 *   node matrix/checks/amtool.ts <project-dir>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone, toolPath } from '../support/direct-run.ts';
import { runChecked, runTool } from '../support/process.ts';

const ROOT = 'deploy/monitoring/alertmanager';
const CONFIG = `${ROOT}/alertmanager.yml`;
const TESTS = `${ROOT}/route-tests.yaml`;

interface RouteTests {
  tests?: { labels: Record<string, string>; receivers: string[] }[];
}

export const amtoolCheck: Check = {
  name: 'amtool',
  inputs: [CONFIG, TESTS],
  async tool(context: CheckContext): Promise<string> {
    const stdout = await runChecked(toolPath(context, 'amtool'), ['--version']);
    return `amtool ${stdout.split(/\s+/)[2] ?? stdout.trim()}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const amtool = toolPath(context, 'amtool');
    const checked = await runTool(amtool, ['check-config', CONFIG], { cwd: directory });
    if (checked.code !== 0) return [{ file: CONFIG, message: `amtool check-config failed (exit ${checked.code}): ${(checked.stdout + checked.stderr).trim().split('\n').filter((line) => /FAILED|error|line \d+/.test(line)).join('; ')}` }];
    const findings: Finding[] = [];
    const tests = (parse(readFileSync(join(directory, TESTS), 'utf8')) as RouteTests | null)?.tests ?? [];
    if (tests.length === 0) findings.push({ file: TESTS, message: 'no route test cases' });
    for (const test of tests) {
      const labels = Object.entries(test.labels).map(([name, value]) => `${name}=${value}`);
      const routed = await runTool(amtool, ['config', 'routes', 'test', `--config.file=${CONFIG}`, `--verify.receivers=${test.receivers.join(',')}`, ...labels], { cwd: directory });
      if (routed.code !== 0) {
        const got = routed.stdout.trim().split('\n').filter((line) => line !== '' && !line.startsWith('WARNING')).join(', ');
        findings.push({ file: TESTS, message: `${labels.join(' ')} reaches ${got || 'nothing'}, expected ${test.receivers.join(', ')}` });
      }
    }
    return findings;
  },
};

export default amtoolCheck;

if (import.meta.main) await runStandalone(amtoolCheck);
