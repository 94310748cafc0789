/**
 * docs/runbooks/<AlertName>.md for every alert (Meaning, Impact, Diagnosis,
 * Mitigation, after the runbook layout of the Prometheus community's
 * kubernetes-mixin runbooks) and docs/runbooks/README.md, the index.
 */
import type { AlertDeclaration } from '../core/slots.ts';
import { RULES_DIRECTORY, RUNBOOKS_DIRECTORY, runbookPath } from './rules.ts';

/** The four sections every runbook has, in order; the alerts-consistency check requires them. */
export const RUNBOOK_SECTIONS = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation'] as const;

/** One runbook page. */
export function runbookPage(alert: AlertDeclaration, ruleFile: string): string {
  const ruleLink = `../../${RULES_DIRECTORY}/${ruleFile}`;
  const bodies = [alert.runbook.meaning, alert.runbook.impact, alert.runbook.diagnosis, alert.runbook.mitigation];
  const lines = [
    `# ${alert.name}`,
    '',
    `${alert.summary}`,
    '',
    `Severity: **${alert.severity}**${alert.for ? `, after ${alert.for} of the condition` : ''}. Rule: [${ruleFile}](${ruleLink}).`,
    '',
    '```promql',
    alert.expr,
    '```',
  ];
  RUNBOOK_SECTIONS.forEach((section, index) => lines.push('', `## ${section}`, '', (bodies[index] ?? '').trim()));
  return `${lines.join('\n')}\n`;
}

/** The runbook index: every alert with its severity and summary. */
export function runbookIndex(alerts: readonly AlertDeclaration[]): string {
  const rows = alerts.map((alert) => `| [${alert.name}](${alert.name}.md) | ${alert.severity} | ${alert.summary.replaceAll('|', '\\|')} |`);
  return [
    '# Runbooks',
    '',
    'One page per alert; each alert\'s `runbook_url` points at its page. How alerts are routed and the on-call steps are in [operations](../operations.md).',
    '',
    '| Alert | Severity | Summary |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** Every runbook page plus the index, by project path; `ruleFileOf` names each alert's rule file. */
export function runbookFiles(alerts: readonly AlertDeclaration[], ruleFileOf: (alert: AlertDeclaration) => string): Record<string, string> {
  const files: Record<string, string> = { [`${RUNBOOKS_DIRECTORY}/README.md`]: runbookIndex(alerts) };
  for (const alert of alerts) files[runbookPath(alert)] = runbookPage(alert, ruleFileOf(alert));
  return files;
}
