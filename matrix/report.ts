/** The matrix report: report.json for tools, summary.md for people, and the closing console lines. */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FailureReport, Report } from './runner.ts';

export const defaultOutDir = join(import.meta.dirname, 'out');

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** "a, b, c (+12 more)". */
export function someOf(items: readonly string[], shown = 5): string {
  return items.length <= shown ? items.join(', ') : `${items.slice(0, shown).join(', ')} (+${items.length - shown} more)`;
}

function failureLines(failure: FailureReport, findingsShown = 10): string[] {
  const lines = [`${failure.status.toUpperCase()} ${failure.check}${failure.files.length === 1 ? ` on ${failure.files[0]}` : ''} in ${failure.combinations.length} combination(s): ${someOf(failure.combinations)}`];
  for (const finding of failure.findings.slice(0, findingsShown)) lines.push(`    ${finding.file ? `${finding.file}: ` : ''}${finding.message.split('\n').join('\n      ')}`);
  if (failure.findings.length > findingsShown) lines.push(`    ... ${failure.findings.length - findingsShown} more findings in report.json`);
  return lines;
}

function headline(report: Report): string {
  const invalidPassed = report.invalid.filter((entry) => entry.verdict === 'pass').length;
  return (
    `Verdict: **${report.verdict}**. ${report.counts.selectedValid} of ${report.counts.validCombinations} valid combinations, ` +
    `${invalidPassed}/${report.invalid.length} invalid combinations refused by the CLI (of ${report.counts.invalidCombinations}); ` +
    `shard ${report.shard}; ${report.jobs} jobs; wall time ${seconds(report.wallMs)} ` +
    `(render ${seconds(report.phases.renderMs)}, CLI ${seconds(report.phases.cliMs)}, checks ${seconds(report.phases.checksMs)}).`
  );
}

export function summaryMarkdown(report: Report, withCombinations = true): string {
  const lines = ['# Matrix report', '', headline(report), ''];
  lines.push(
    `Cache: ${report.cache.hits} hits, ${report.cache.misses} misses (${percent(report.cache.hitRatio)} hits)${report.cacheDir ? ` in \`${report.cacheDir}\`` : ', no persistent cache'}. ` +
      `Rendered ${report.counts.renderedFiles} files with ${report.counts.distinctFiles} distinct contents.`,
    '',
  );
  if (report.filters.length > 0) lines.push(`Filters: ${report.filters.map((filter) => `\`${filter}\``).join(' or ')}`, '');
  lines.push('## Checks', '', '| check | tool | granularity | combinations | distinct inputs | in this shard | cache hits | misses | runs | run time | failed | errors |', '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const check of report.checks) {
    lines.push(
      `| ${check.name} | ${cell(check.tool)} | ${check.granularity} | ${check.combinations} | ${check.distinctInputs} | ${check.inShard} | ${check.hits} | ${check.misses} | ${check.runs} | ${seconds(check.runMs)} | ${check.failed} | ${check.errors} |`,
    );
  }
  lines.push('');
  if (report.failures.length > 0) {
    lines.push('## Failures', '');
    for (const failure of report.failures) {
      const [first, ...rest] = failureLines(failure, 50);
      lines.push(`- ${cell(first as string)}`, ...(rest.length > 0 ? ['', '  ```text', ...rest.map((line) => `  ${line.trim()}`), '  ```', ''] : []));
    }
    lines.push('');
  }
  if (report.invalid.length > 0) {
    lines.push('## Invalid combinations', '', '| combination | rule | exit code | verdict |', '|---|---|--:|---|');
    for (const entry of report.invalid) lines.push(`| ${cell(entry.id)} | ${cell(entry.rule)} | ${entry.exitCode} | ${entry.verdict}${entry.problems.length ? `: ${cell(entry.problems.join('; '))}` : ''} |`);
    lines.push('');
  }
  if (withCombinations) {
    const checkNames = report.checks.map((check) => check.name);
    lines.push('## Combinations', '', `| combination | verdict | ${['render', ...checkNames].join(' | ')} |`, `|---|---|${['render', ...checkNames].map(() => '---').join('|')}|`);
    for (const combination of report.combinations) {
      lines.push(`| ${cell(combination.id)} | ${combination.verdict} | ${['render', ...checkNames].map((name) => combination.checks[name] ?? 'n/a').join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export function writeReport(report: Report, outDir: string = defaultOutDir): { json: string; summary: string } {
  mkdirSync(outDir, { recursive: true });
  const json = join(outDir, 'report.json');
  const summary = join(outDir, 'summary.md');
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(summary, summaryMarkdown(report));
  // In GitHub Actions, the job summary gets everything but the per-combination table.
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, summaryMarkdown(report, false));
  return { json, summary };
}

/** The closing lines on the console: per-check numbers, then every failure with its combinations and findings. */
export function consoleSummary(report: Report): string[] {
  const lines: string[] = [];
  const width = Math.max(...report.checks.map((check) => check.name.length), 5);
  for (const check of report.checks) {
    lines.push(
      `  ${check.name.padEnd(width)}  ${String(check.distinctInputs).padStart(5)} distinct  ${String(check.hits).padStart(5)} hits  ${String(check.misses).padStart(5)} misses  ${String(check.runs).padStart(4)} runs  ${seconds(check.runMs).padStart(8)}  ${check.failed + check.errors > 0 ? `${check.failed} failed, ${check.errors} errors` : 'ok'}  (${check.tool})`,
    );
  }
  for (const failure of report.failures) lines.push(...failureLines(failure));
  lines.push(headline(report).replace(/\*\*/g, ''));
  lines.push(`Cache: ${report.cache.hits} hits, ${report.cache.misses} misses (${percent(report.cache.hitRatio)} hits).`);
  return lines;
}
