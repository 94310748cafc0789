/**
 * Prometheus rule files and promtool unit tests, built as data from the alerts
 * and recording-rules slots. Rule file format: Prometheus "Recording rules" and
 * "Alerting rules"; test format: "Unit testing for rules" (promtool test rules).
 */
import type { Facts } from '../core/facts.ts';
import type { AlertCase, AlertDeclaration, RecordingRule } from '../core/slots.ts';
import { yamlFile } from '../core/yaml-text.ts';

export const MONITORING_ROOT = 'deploy/monitoring';
export const RULES_DIRECTORY = `${MONITORING_ROOT}/prometheus/rules`;
export const TESTS_DIRECTORY = `${MONITORING_ROOT}/prometheus/tests`;
export const RUNBOOKS_DIRECTORY = 'docs/runbooks';

/** The runbook page of an alert, project-relative. */
export const runbookPath = (alert: Pick<AlertDeclaration, 'name'>) => `${RUNBOOKS_DIRECTORY}/${alert.name}.md`;

/** The runbook's web address in the source repository (GitLab puts blobs under /-/blob/). */
export function runbookUrl(facts: Facts, alert: Pick<AlertDeclaration, 'name'>): string {
  const blob = facts.usesGitlabCi ? '-/blob' : 'blob';
  return `${facts.sourceUrl}/${blob}/main/${runbookPath(alert)}`;
}

/** A Prometheus rule group: its rules in evaluation order (recording rules first, so alerts read fresh values). */
export interface RuleGroup {
  name: string;
  /** The group as declared (the rule file's name); not part of the Prometheus format. */
  group: string;
  rules: Record<string, unknown>[];
}

/** One alerting rule as Prometheus reads it. */
export function alertingRule(facts: Facts, alert: AlertDeclaration): Record<string, unknown> {
  return {
    alert: alert.name,
    expr: alert.expr,
    ...(alert.for === undefined ? {} : { for: alert.for }),
    labels: { severity: alert.severity, ...alert.labels },
    annotations: { summary: alert.summary, description: alert.description, runbook_url: runbookUrl(facts, alert) },
  };
}

/** Rule groups by group name (sorted), each named "<project>-<group>". */
export function ruleGroups(facts: Facts, alerts: readonly AlertDeclaration[], records: readonly RecordingRule[]): RuleGroup[] {
  const names = [...new Set([...records.map((rule) => rule.group), ...alerts.map((alert) => alert.group)])].sort();
  return names.map((group) => ({
    name: `${facts.name}-${group}`,
    group,
    rules: [
      ...records.filter((rule) => rule.group === group).map((rule) => ({ record: rule.record, expr: rule.expr, ...(rule.labels ? { labels: rule.labels } : {}) })),
      ...alerts.filter((alert) => alert.group === group).map((alert) => alertingRule(facts, alert)),
    ],
  }));
}

const yaml = (header: string, document: object) => yamlFile(header, [document]);

/** deploy/monitoring/prometheus/rules/<group>.yaml, one rule group per file. */
export function ruleFiles(facts: Facts, groups: readonly RuleGroup[]): Record<string, string> {
  return Object.fromEntries(
    groups.map((group) => [
      `${RULES_DIRECTORY}/${group.group}.yaml`,
      yaml(`Prometheus rules of ${facts.title} (${group.name}). Checked by promtool check rules; tested by ../tests.`, { groups: [{ name: group.name, rules: group.rules }] }),
    ]),
  );
}

/** The labels a firing alert carries besides alertname: severity, the declared labels, the case's expected labels. */
const labels = (alert: AlertDeclaration, testCase: AlertCase) => ({ severity: alert.severity, ...alert.labels, ...testCase.expectedLabels });

/**
 * A description with each `{{ $labels.name }}` replaced by the label's value
 * (empty when absent, as Prometheus expands a missing label); throws on any
 * other template action, whose expansion promtool would compare exactly.
 */
export function expandLabels(description: string, values: Record<string, string>): string {
  const expanded = description.replaceAll(/\{\{\s*\$labels\.([a-zA-Z_]\w*)\s*\}\}/g, (_match, name: string) => values[name] ?? '');
  if (expanded.includes('{{')) throw new Error(`Alert description "${description}" uses template actions other than {{ $labels.<name> }}`);
  return expanded;
}

/**
 * deploy/monitoring/prometheus/tests/<AlertName>.yaml: every firing case
 * expects the alert with its labels and static annotations; every not-firing
 * case expects none. Each loads its group's rule file, whose recording rules
 * are evaluated with the alerts.
 */
export function testFiles(facts: Facts, alerts: readonly AlertDeclaration[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const alert of alerts) {
    const tests = [
      ...alert.firing.map((testCase) => ({
        name: `${alert.name}: ${testCase.name}`,
        interval: testCase.interval ?? '1m',
        input_series: testCase.inputSeries.map((series) => ({ series: series.series, values: series.values })),
        alert_rule_test: [
          {
            eval_time: testCase.evalTime,
            alertname: alert.name,
            exp_alerts: [
              {
                exp_labels: labels(alert, testCase),
                exp_annotations: { summary: alert.summary, description: expandLabels(alert.description, labels(alert, testCase)), runbook_url: runbookUrl(facts, alert) },
              },
            ],
          },
        ],
      })),
      ...alert.notFiring.map((testCase) => ({
        name: `${alert.name}: ${testCase.name}`,
        interval: testCase.interval ?? '1m',
        input_series: testCase.inputSeries.map((series) => ({ series: series.series, values: series.values })),
        alert_rule_test: [{ eval_time: testCase.evalTime, alertname: alert.name, exp_alerts: [] }],
      })),
    ];
    files[`${TESTS_DIRECTORY}/${alert.name}.yaml`] = yaml(`promtool test rules: ${alert.name} fires in each firing case and stays silent in each other case.`, {
      rule_files: [`../rules/${alert.group}.yaml`],
      evaluation_interval: alert.testEvaluationInterval ?? '1m',
      tests,
    });
  }
  return files;
}
