/**
 * The CI files against the JSON schemas check-jsonschema vendors from
 * SchemaStore: GitHub workflows (vendor.github-workflows), Dependabot
 * (vendor.dependabot) and .gitlab-ci.yml with the files it includes locally
 * (vendor.gitlab-ci, with GitLab's !reference tags read by the gitlab-ci data
 * transform).
 *
 *   node matrix/checks/ci-schema.ts <project-dir>
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone, toolPath } from '../support/direct-run.ts';
import { runChecked, runTool } from '../support/process.ts';
import { gitlabFiles } from './ci/pipelines.ts';

interface SchemaReport {
  status: 'ok' | 'fail';
  errors: { filename: string; path: string; message: string }[];
  parse_errors?: { filename: string; message: string }[];
}

/** Which files each vendored schema validates. */
function groups(directory: string): { schema: string; transform?: string; files: string[] }[] {
  const workflowsDirectory = join(directory, '.github', 'workflows');
  const workflows = existsSync(workflowsDirectory)
    ? readdirSync(workflowsDirectory)
        .filter((file) => /\.ya?ml$/.test(file))
        .sort()
        .map((file) => `.github/workflows/${file}`)
    : [];
  return [
    { schema: 'vendor.github-workflows', files: workflows },
    { schema: 'vendor.dependabot', files: existsSync(join(directory, '.github', 'dependabot.yml')) ? ['.github/dependabot.yml'] : [] },
    { schema: 'vendor.gitlab-ci', transform: 'gitlab-ci', files: gitlabFiles(directory).map((entry) => entry.file) },
  ].filter((group) => group.files.length > 0);
}

export const ciSchemaCheck: Check = {
  name: 'ci-schema',
  inputs: ['.github/workflows/*.yml', '.github/dependabot.yml', '.gitlab-ci.yml', '.gitlab/ci/*.yml'],
  async tool(context: CheckContext): Promise<string> {
    const version = /(\d+\.\d+\.\d+)/.exec(await runChecked(toolPath(context, 'check-jsonschema'), ['--version']))?.[1];
    if (!version) throw new Error('check-jsonschema --version printed no version');
    return `check-jsonschema ${version} (vendored github-workflows, dependabot, gitlab-ci schemas)`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const group of groups(directory)) {
      const args = ['--builtin-schema', group.schema, ...(group.transform ? ['--data-transform', group.transform] : []), '--output-format', 'json', ...group.files];
      const result = await runTool(toolPath(context, 'check-jsonschema'), args, { cwd: directory });
      if (result.code !== 0 && !result.stdout.trim().startsWith('{')) throw new Error(`check-jsonschema failed to run (exit ${result.code}): ${result.stderr}`);
      const report = JSON.parse(result.stdout) as SchemaReport;
      for (const error of report.parse_errors ?? []) findings.push({ file: error.filename, message: `not parseable: ${error.message}` });
      for (const error of report.errors) findings.push({ file: error.filename, message: `${group.schema} ${error.path}: ${error.message}` });
      context.log(`${group.schema}: ${group.files.join(', ')} ${report.status}`);
    }
    return findings;
  },
};

export default ciSchemaCheck;

if (import.meta.main) await runStandalone(ciSchemaCheck);
