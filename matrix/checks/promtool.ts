/**
 * The Prometheus rules with promtool: `promtool check rules` on every rule
 * file, `promtool test rules` on every unit-test file, and every alert must be
 * tested with at least one case that expects it to fire and one that expects
 * silence (an always-firing alert, expr `vector(1)`, only the first); the
 * Compose stack's prometheus.yml, when there is one, passes `promtool check
 * config --syntax-only` (its rule and target files live in the container).
 *
 *   node matrix/checks/promtool.ts <project-dir>
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone, toolPath } from '../support/direct-run.ts';
import { runChecked, runTool } from '../support/process.ts';

const ROOT = 'deploy/monitoring/prometheus';

interface RuleFile {
  groups?: { rules?: { alert?: string; expr?: string }[] }[];
}
interface TestFile {
  tests?: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

const yamlFiles = (directory: string) =>
  readdirSync(directory)
    .filter((name) => name.endsWith('.yaml'))
    .sort();

/** Alerts without a firing or a not-firing case in the test files (pure: for tests and the check). */
export function untestedAlerts(rules: readonly RuleFile[], tests: readonly TestFile[]): string[] {
  const cases = new Map<string, { firing: number; silent: number }>();
  for (const file of tests) {
    for (const test of file.tests ?? []) {
      for (const assertion of test.alert_rule_test ?? []) {
        const known = cases.get(assertion.alertname) ?? { firing: 0, silent: 0 };
        if ((assertion.exp_alerts ?? []).length > 0) known.firing += 1;
        else known.silent += 1;
        cases.set(assertion.alertname, known);
      }
    }
  }
  const problems: string[] = [];
  for (const file of rules) {
    for (const rule of (file.groups ?? []).flatMap((group) => group.rules ?? [])) {
      if (!rule.alert) continue;
      const known = cases.get(rule.alert) ?? { firing: 0, silent: 0 };
      if (known.firing === 0) problems.push(`alert ${rule.alert} has no promtool case in which it fires`);
      if (known.silent === 0 && rule.expr?.trim() !== 'vector(1)') problems.push(`alert ${rule.alert} has no promtool case in which it stays silent`);
    }
  }
  return problems;
}

export const promtoolCheck: Check = {
  name: 'promtool',
  inputs: [`${ROOT}/rules/*.yaml`, `${ROOT}/tests/*.yaml`, `${ROOT}/prometheus.yml`],
  appliesTo: [`${ROOT}/rules/*.yaml`],
  async tool(context: CheckContext): Promise<string> {
    const stdout = await runChecked(toolPath(context, 'promtool'), ['--version']);
    return `promtool ${stdout.split(/\s+/)[2] ?? stdout.trim()}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const promtool = toolPath(context, 'promtool');
    const findings: Finding[] = [];
    const ruleNames = yamlFiles(join(directory, ROOT, 'rules'));
    const testNames = yamlFiles(join(directory, ROOT, 'tests'));
    const checked = await runTool(promtool, ['check', 'rules', ...ruleNames], { cwd: join(directory, ROOT, 'rules') });
    if (checked.code !== 0) findings.push({ file: `${ROOT}/rules`, message: `promtool check rules failed (exit ${checked.code}): ${(checked.stdout + checked.stderr).trim().split('\n').filter((line) => /FAILED|error|Error/.test(line)).join('; ')}` });
    if (testNames.length === 0) findings.push({ file: `${ROOT}/tests`, message: 'no promtool unit-test files' });
    else {
      const tested = await runTool(promtool, ['test', 'rules', ...testNames], { cwd: join(directory, ROOT, 'tests') });
      if (tested.code !== 0) findings.push({ file: `${ROOT}/tests`, message: `promtool test rules failed (exit ${tested.code}):\n${(tested.stdout + tested.stderr).trim().split('\n').filter((line) => line.trim() !== '' && !/SUCCESS|^Unit Testing/.test(line)).slice(0, 40).join('\n')}` });
    }
    if (existsSync(join(directory, ROOT, 'prometheus.yml'))) {
      const config = await runTool(promtool, ['check', 'config', '--syntax-only', 'prometheus.yml'], { cwd: join(directory, ROOT) });
      if (config.code !== 0) findings.push({ file: `${ROOT}/prometheus.yml`, message: `promtool check config failed (exit ${config.code}): ${(config.stdout + config.stderr).trim().split('\n').filter((line) => /FAILED|error/i.test(line)).join('; ')}` });
    }
    const read = <T>(folder: string, name: string) => parse(readFileSync(join(directory, ROOT, folder, name), 'utf8')) as T;
    for (const message of untestedAlerts(ruleNames.map((name) => read<RuleFile>('rules', name)), testNames.map((name) => read<TestFile>('tests', name)))) findings.push({ file: `${ROOT}/tests`, message });
    return findings;
  },
};

export default promtoolCheck;

if (import.meta.main) await runStandalone(promtoolCheck);
