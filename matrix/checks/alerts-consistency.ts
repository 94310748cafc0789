/**
 * The alerts against the rest of the project (RUBRIC §6.3, §6.5):
 * - every alert has a CamelCase name, `severity` critical|warning|info, a
 *   static `summary` (no template), a templated `description`, and a
 *   `runbook_url` that names docs/runbooks/<AlertName>.md, a file of the
 *   project with the sections Meaning, Impact, Diagnosis and Mitigation;
 * - every alert except the SLO burn-rate ones (which read recording rules)
 *   has `for:`;
 * - every expression parses (Prometheus' own PromQL grammar) and reads only
 *   metrics the app registers in src/, recording rules of the project, or
 *   metrics a named standard exporter documents (observability/exporter-metrics.json).
 *
 *   node matrix/checks/alerts-consistency.ts <project-dir>
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Check, Finding } from '../check.ts';
import { runStandalone } from '../support/direct-run.ts';
import { appMetrics, exporterMetrics, parseExpression } from './observability/promql.ts';

const RULES = 'deploy/monitoring/prometheus/rules';
const RUNBOOKS = 'docs/runbooks';
const SECTIONS = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation'];

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Every rule of every rule file, with its file. */
function rulesOf(directory: string): { file: string; rule: Rule }[] {
  const folder = join(directory, RULES);
  return readdirSync(folder)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .flatMap((name) => {
      const content = parse(readFileSync(join(folder, name), 'utf8')) as { groups?: { rules?: Rule[] }[] };
      return (content.groups ?? []).flatMap((group) => (group.rules ?? []).map((rule) => ({ file: `${RULES}/${name}`, rule })));
    });
}

function sourcesOf(directory: string, folder = 'src'): string[] {
  let entries;
  try {
    entries = readdirSync(join(directory, folder), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => (entry.isDirectory() ? sourcesOf(directory, `${folder}/${entry.name}`) : entry.name.endsWith('.ts') ? [readFileSync(join(directory, folder, entry.name), 'utf8')] : []));
}

const readOrNull = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** Shell scripts of the project (the backup scripts push metrics in the Prometheus text format). */
function scriptsOf(directory: string, folder = 'scripts'): string[] {
  let entries;
  try {
    entries = readdirSync(join(directory, folder), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => (entry.isDirectory() ? scriptsOf(directory, `${folder}/${entry.name}`) : entry.name.endsWith('.sh') ? [readFileSync(join(directory, folder, entry.name), 'utf8')] : []));
}

/** Metrics a project script exposes: the `# TYPE <name> <type>` lines of the text format it pushes. */
export function scriptMetrics(scripts: readonly string[]): Set<string> {
  return new Set(scripts.flatMap((script) => [...script.matchAll(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|histogram|summary|untyped)$/gm)].map((match) => match[1] as string)));
}

/** Findings for the rule files of a project directory (pure apart from reading it). */
export function alertFindings(directory: string): Finding[] {
  const findings: Finding[] = [];
  const rules = rulesOf(directory);
  const known = new Set([...appMetrics(sourcesOf(directory)), ...scriptMetrics(scriptsOf(directory)), ...exporterMetrics().keys(), ...rules.flatMap(({ rule }) => (rule.record ? [rule.record] : []))]);
  for (const { file, rule } of rules) {
    const name = rule.alert ?? rule.record ?? '(unnamed)';
    const parsed = parseExpression(rule.expr);
    if (parsed.errors.length > 0) findings.push({ file, message: `${name}: expression does not parse at offset ${parsed.errors[0]}` });
    for (const metric of parsed.metrics) if (!known.has(metric)) findings.push({ file, message: `${name}: metric ${metric} is neither registered in src/, pushed by a script in scripts/, a recording rule, nor documented by a standard exporter` });
    if (!rule.alert) continue;
    if (!/^[A-Z][a-zA-Z0-9]*$/.test(rule.alert)) findings.push({ file, message: `${name}: alert name is not CamelCase` });
    const severity = rule.labels?.severity;
    if (!severity || !['critical', 'warning', 'info'].includes(severity)) findings.push({ file, message: `${name}: label severity is ${severity ?? 'missing'}, not critical, warning or info` });
    const annotations = rule.annotations ?? {};
    if (!annotations.summary) findings.push({ file, message: `${name}: annotation summary is missing` });
    else if (annotations.summary.includes('{{')) findings.push({ file, message: `${name}: summary is templated; keep it static so notifications group` });
    if (!annotations.description) findings.push({ file, message: `${name}: annotation description is missing` });
    else if (!annotations.description.includes('{{') && rule.expr.trim() !== 'vector(1)') findings.push({ file, message: `${name}: description is not templated` });
    const readsRecords = parsed.metrics.length > 0 && parsed.metrics.every((metric) => metric.includes(':'));
    if (rule.for === undefined && !readsRecords) findings.push({ file, message: `${name}: no for: (only SLO alerts over recording rules may fire at once)` });
    const url = annotations.runbook_url;
    const expected = `${RUNBOOKS}/${rule.alert}.md`;
    if (!url) findings.push({ file, message: `${name}: annotation runbook_url is missing` });
    else if (!url.endsWith(`/${expected}`)) findings.push({ file, message: `${name}: runbook_url ${url} does not point at ${expected}` });
    const runbook = readOrNull(join(directory, expected));
    if (runbook === null) findings.push({ file: expected, message: `${name}: runbook file is missing` });
    else for (const section of SECTIONS) if (!new RegExp(`^## ${section}\\s*$`, 'm').test(runbook)) findings.push({ file: expected, message: `${name}: runbook has no "## ${section}" section` });
  }
  return findings;
}

export const alertsConsistencyCheck: Check = {
  name: 'alerts-consistency',
  inputs: [`${RULES}/*.yaml`, `${RUNBOOKS}/*.md`, 'src/**/*.ts', 'scripts/**/*.sh'],
  appliesTo: [`${RULES}/*.yaml`],
  tool: async () => `@prometheus-io/lezer-promql ${(JSON.parse(readFileSync(join(import.meta.dirname, '../../node_modules/@prometheus-io/lezer-promql/package.json'), 'utf8')) as { version: string }).version} and own rules`,
  run: async (directory) => alertFindings(directory),
};

export default alertsConsistencyCheck;

if (import.meta.main) await runStandalone(alertsConsistencyCheck);
