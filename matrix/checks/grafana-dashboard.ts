/**
 * Every Grafana dashboard JSON (RUBRIC §6.7):
 * - type-checks against @grafana/schema's `Dashboard` type with tsc (the
 *   schema Grafana publishes for its dashboard JSON model);
 * - own rules the type cannot express: no keys outside the dashboard, panel
 *   and Prometheus-target models; a stable uid of at most 40 characters;
 *   exactly one template variable, of type datasource, which every panel and
 *   target uses; a unit and a description on every panel; rates over
 *   `$__rate_interval` (or a whole-day SLO window);
 * - every panel query parses with promtool (each becomes a recording rule of
 *   a scratch rule file for `promtool check rules`) and reads only metrics the
 *   app registers, the project's recording rules, or standard exporters' metrics.
 *
 *   node matrix/checks/grafana-dashboard.ts <project-dir>
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone, toolPath } from '../support/direct-run.ts';
import { runChecked, runTool } from '../support/process.ts';
import { appMetrics, exporterMetrics, parseExpression } from './observability/promql.ts';

const DASHBOARDS = 'deploy/monitoring/grafana/dashboards';
const RULES = 'deploy/monitoring/prometheus/rules';
const REPOSITORY = join(import.meta.dirname, '../..');

/** Keys of the Dashboard, Panel/RowPanel and Prometheus query models (@grafana/schema 13, Prometheus data source) that dashboards written here may use. */
const DASHBOARD_KEYS = new Set(['id', 'uid', 'title', 'description', 'tags', 'editable', 'graphTooltip', 'schemaVersion', 'version', 'refresh', 'time', 'timepicker', 'timezone', 'annotations', 'links', 'templating', 'panels', 'liveNow', 'weekStart', 'fiscalYearStartMonth']);
const PANEL_KEYS = new Set(['id', 'type', 'title', 'description', 'datasource', 'gridPos', 'fieldConfig', 'options', 'targets', 'collapsed', 'panels', 'transparent', 'links', 'pluginVersion', 'interval', 'maxDataPoints', 'timeFrom', 'timeShift', 'transformations', 'repeat', 'repeatDirection']);
const TARGET_KEYS = new Set(['refId', 'datasource', 'expr', 'legendFormat', 'instant', 'range', 'interval', 'format', 'hide', 'editorMode', 'exemplar', 'intervalFactor']);

interface Target {
  refId?: string;
  expr?: string;
  datasource?: { uid?: string };
  [key: string]: unknown;
}
interface Panel {
  type?: string;
  title?: string;
  description?: string;
  datasource?: { uid?: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Target[];
  panels?: Panel[];
  [key: string]: unknown;
}
interface Dashboard {
  uid?: string;
  templating?: { list?: { name?: string; type?: string }[] };
  panels?: Panel[];
  [key: string]: unknown;
}

function filesIn(directory: string, folder: string, pattern: RegExp): string[] {
  let entries;
  try {
    entries = readdirSync(join(directory, folder), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => (entry.isDirectory() ? filesIn(directory, `${folder}/${entry.name}`, pattern) : pattern.test(entry.name) ? [`${folder}/${entry.name}`] : []));
}

/** Findings of the own rules for one parsed dashboard; `known` holds the metric names queries may read. */
export function dashboardFindings(file: string, board: Dashboard, known: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  const add = (message: string) => findings.push({ file, message });
  for (const key of Object.keys(board)) if (!DASHBOARD_KEYS.has(key)) add(`unknown dashboard key "${key}"`);
  if (!board.uid) add('no uid: Grafana would make a new one on every import');
  else if (!/^[a-zA-Z0-9_-]{1,40}$/.test(board.uid)) add(`uid "${board.uid}" is not 1-40 characters of letters, digits, "-" and "_"`);
  const variables = board.templating?.list ?? [];
  const datasources = variables.filter((variable) => variable.type === 'datasource');
  if (datasources.length !== 1 || variables.length !== 1) add(`expected exactly one template variable, of type datasource; found ${variables.map((variable) => `${variable.name}(${variable.type})`).join(', ') || 'none'}`);
  const reference = `\${${datasources[0]?.name ?? 'datasource'}}`;
  const panels = (board.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  for (const panel of panels) {
    const name = `panel "${panel.title ?? '(untitled)'}"`;
    for (const key of Object.keys(panel)) if (!PANEL_KEYS.has(key)) add(`${name}: unknown panel key "${key}"`);
    if (panel.type === 'row') continue;
    if (!panel.description?.trim()) add(`${name}: no description`);
    if (!panel.fieldConfig?.defaults?.unit) add(`${name}: no unit (fieldConfig.defaults.unit)`);
    if (panel.datasource?.uid !== reference) add(`${name}: datasource is not the ${reference} variable`);
    if ((panel.targets ?? []).length === 0) add(`${name}: no query`);
    for (const target of panel.targets ?? []) {
      const query = `${name} query ${target.refId ?? '?'}`;
      for (const key of Object.keys(target)) if (!TARGET_KEYS.has(key)) add(`${query}: unknown target key "${key}"`);
      if (target.datasource?.uid !== reference) add(`${query}: datasource is not the ${reference} variable`);
      const expr = target.expr ?? '';
      for (const [, range] of expr.matchAll(/\[([^\]]+)\]/g)) if (range !== '$__rate_interval' && !/^\d+d$/.test(range as string)) add(`${query}: range [${range}] instead of [$__rate_interval]`);
      const parsed = parseExpression(expr.replaceAll('$__rate_interval', '5m'));
      if (parsed.errors.length > 0) add(`${query}: does not parse at offset ${parsed.errors[0]}`);
      for (const metric of parsed.metrics) if (!known.has(metric)) add(`${query}: metric ${metric} is neither registered in src/, a recording rule, nor documented by a standard exporter`);
    }
  }
  return findings;
}

/** Every query of a dashboard as a recording rule, for promtool check rules. */
export function queriesAsRules(board: Dashboard): object {
  const panels = (board.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  const rules = panels.flatMap((panel, index) => (panel.targets ?? []).map((target) => ({ record: `dashboard:panel${index}_${target.refId ?? 'x'}`, expr: (target.expr ?? '').replaceAll('$__rate_interval', '5m') })));
  return { groups: [{ name: 'dashboard-queries', rules }] };
}

export const grafanaDashboardCheck: Check = {
  name: 'grafana-dashboard',
  inputs: [`${DASHBOARDS}/*.json`, `${RULES}/*.yaml`, 'src/**/*.ts'],
  appliesTo: [`${DASHBOARDS}/*.json`],
  async tool(context: CheckContext): Promise<string> {
    const schema = (JSON.parse(readFileSync(join(REPOSITORY, 'node_modules/@grafana/schema/package.json'), 'utf8')) as { version: string }).version;
    const promtool = (await runChecked(toolPath(context, 'promtool'), ['--version'])).split(/\s+/)[2];
    return `@grafana/schema ${schema}, promtool ${promtool}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const findings: Finding[] = [];
    const records = filesIn(directory, RULES, /\.yaml$/).flatMap((file) => ((parse(readFileSync(join(directory, file), 'utf8')) as { groups?: { rules?: { record?: string }[] }[] }).groups ?? []).flatMap((group) => (group.rules ?? []).flatMap((rule) => (rule.record ? [rule.record] : []))));
    const sources = filesIn(directory, 'src', /\.ts$/).map((file) => readFileSync(join(directory, file), 'utf8'));
    const known = new Set([...appMetrics(sources), ...exporterMetrics().keys(), ...records]);
    const scratch = join(directory, '.grafana-dashboard-check');
    mkdirSync(scratch, { recursive: true });
    const dashboards = filesIn(directory, DASHBOARDS, /\.json$/);
    const typed: string[] = [];
    for (const [index, file] of dashboards.entries()) {
      const text = readFileSync(join(directory, file), 'utf8');
      const board = JSON.parse(text) as Dashboard;
      findings.push(...dashboardFindings(file, board, known));
      typed.push(`dashboard${index}.ts`);
      writeFileSync(join(scratch, `dashboard${index}.ts`), `import type { Dashboard } from '@grafana/schema';\n// ${file}\nexport const dashboard: Dashboard = ${text.trim()};\n`);
      const rules = join(scratch, `queries${index}.yaml`);
      writeFileSync(rules, stringify(queriesAsRules(board)));
      const checked = await runTool(toolPath(context, 'promtool'), ['check', 'rules', rules]);
      if (checked.code !== 0) findings.push({ file, message: `a panel query fails promtool check rules: ${(checked.stdout + checked.stderr).split('\n').filter((line) => /error|FAILED/i.test(line)).join('; ')}` });
    }
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: true, types: [], paths: { '@grafana/schema': [join(REPOSITORY, 'node_modules/@grafana/schema/dist/types/index.d.ts')] } },
        files: typed,
      }),
    );
    const tsc = await runTool(process.execPath, [join(REPOSITORY, 'node_modules/typescript/bin/tsc'), '-p', join(scratch, 'tsconfig.json')], { cwd: scratch });
    if (tsc.code !== 0) {
      for (const line of tsc.stdout.split('\n').filter((text) => text.includes('error TS'))) {
        const match = /dashboard(\d+)\.ts\((\d+),\d+\): (.*)$/.exec(line);
        findings.push({ file: match ? dashboards[Number(match[1])] : DASHBOARDS, message: `@grafana/schema Dashboard type: ${match ? `line ${Number(match[2]) - 2}: ${match[3]}` : line.trim()}` });
      }
    }
    return findings;
  },
};

export default grafanaDashboardCheck;

if (import.meta.main) await runStandalone(grafanaDashboardCheck);
