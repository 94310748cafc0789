/**
 * The GitLab pipeline through gitlab-ci-local (Node 22, see
 * matrix/tools/gitlab-tools.sh), two checks:
 *
 * - `gitlab-ci-local`: lists the pipeline (.gitlab-ci.yml with its local
 *   includes) as GitLab would create it for a merge request, main, a v1.0.0
 *   tag, a run by hand and a schedule: each listing validates the files
 *   against GitLab's JSON schema, resolves `include:`, `extends:` and
 *   `rules:`, and `--validate-dependency-chain` proves every job a listed job
 *   `needs` is listed too. A job listed in none of these pipelines never runs.
 * - `gitlab-ci-local-job`: RUNS every job of the test-stage file
 *   (.gitlab/ci/test.yml: npm ci, format check, lint, type check, tests with
 *   coverage, build) with the shell executor on this machine's Node.js. The
 *   job's `services:` are replaced by real local servers: each job variable
 *   whose URL points at a service alias (postgres:5432, redis:6379) is set to
 *   a throwaway database on the runner's PostgreSQL, or the runner's Redis.
 *
 * What differs from GitLab, and why:
 * - GitLab's `include: template:` files (SAST, dependency scanning, secret
 *   detection) are left out: gitlab-ci-local downloads them from gitlab.com,
 *   which this machine cannot reach. ci-schema still validates the file as written.
 * - The job runs on the host with `--force-shell-executor` instead of in its
 *   `image:` (there is no Docker daemon here); the host's Node.js 24 is the
 *   image's major version.
 * - The generated project has no package-lock.json until `npm install` ran
 *   (the matrix renders with --skip-install), so the check creates it with
 *   `npm install --package-lock-only`, as the generator's install does,
 *   before the job's `npm ci`.
 *
 *   node matrix/checks/gitlab-ci-local.ts <project-dir>
 *   node matrix/checks/gitlab-ci-local.ts <project-dir> --check gitlab-ci-local-job --postgres-url URL --redis-url URL
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { parse, stringify } from 'yaml';
import type { Check, CheckContext, Finding } from '../check.ts';
import { runStandalone, toolPath } from '../support/direct-run.ts';
import { throwawayDatabase } from '../support/postgres.ts';
import { run, runChecked } from '../support/process.ts';
import { gitlabFiles, localIncludes } from './ci/pipelines.ts';
import { commitAsGitlabProject, dropTemplateIncludes, gitlabCiLocal, gitlabCiLocalOutput } from './gitlab/repository.ts';
import { baseEnv, SERVICE_INPUTS } from './service-proof/proof.ts';

/** The included file with the test-stage jobs (generators/gitlab-ci/pipeline.ts TEST_JOBS_FILE). */
export const TEST_JOBS_FILE = '.gitlab/ci/test.yml';

/** The project the pipelines are listed for: its origin remote, so CI_PROJECT_PATH and friends are set. */
const PROJECT = 'my-org/service';

/** The pipelines GitLab creates for this project, as the predefined variables that tell them apart. */
export const PIPELINES: readonly { name: string; set: Record<string, string>; unset: string[] }[] = [
  { name: 'merge request', set: { CI_PIPELINE_SOURCE: 'merge_request_event', CI_MERGE_REQUEST_IID: '1' }, unset: ['CI_COMMIT_BRANCH'] },
  { name: 'main', set: {}, unset: [] },
  { name: 'tag v1.0.0', set: { CI_COMMIT_TAG: 'v1.0.0', CI_COMMIT_REF_NAME: 'v1.0.0' }, unset: ['CI_COMMIT_BRANCH'] },
  { name: 'run by hand', set: { CI_PIPELINE_SOURCE: 'web' }, unset: [] },
  { name: 'schedule', set: { CI_PIPELINE_SOURCE: 'schedule' }, unset: [] },
];

const variableArgs = (pipeline: (typeof PIPELINES)[number]) => [
  ...Object.entries(pipeline.set).flatMap(([name, value]) => ['--variable', `${name}=${value}`]),
  ...pipeline.unset.flatMap((name) => ['--unset-variable', name]),
];

async function gitlabCiLocalVersion(context: CheckContext): Promise<string> {
  const version = /(\d+\.\d+\.\d+)/.exec(await runChecked(toolPath(context, 'gitlab-ci-local'), ['--version']))?.[1];
  if (!version) throw new Error('gitlab-ci-local --version printed no version');
  return version;
}

/** Names of the jobs in a `--list-csv` table (first column, header left out). */
export function listedJobs(csv: string): string[] {
  return csv
    .split('\n')
    .filter((line) => line.includes(';'))
    .slice(1)
    .map((line) => line.split(';')[0] as string);
}

export const gitlabCiLocalCheck: Check = {
  name: 'gitlab-ci-local',
  inputs: ['.gitlab-ci.yml', '.gitlab/ci/*.yml'],
  appliesTo: ['.gitlab-ci.yml'],
  timeoutMs: 5 * 60_000,
  async tool(context: CheckContext): Promise<string> {
    return `gitlab-ci-local ${await gitlabCiLocalVersion(context)} (--list-csv, --validate-dependency-chain per pipeline source)`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const declared = gitlabFiles(directory).flatMap(({ file, document }) =>
      Object.entries(document)
        .filter(([name, job]) => !name.startsWith('.') && typeof job === 'object' && job !== null && ('script' in job || 'trigger' in job || 'extends' in job))
        .map(([name]) => ({ file, name })),
    );
    const dropped = dropTemplateIncludes(join(directory, '.gitlab-ci.yml'));
    if (dropped.length > 0) context.log(`left out (downloaded from gitlab.com): ${dropped.join(', ')}`);
    await commitAsGitlabProject(directory, PROJECT);
    const findings: Finding[] = [];
    const listed = new Set<string>();
    for (const [index, pipeline] of PIPELINES.entries()) {
      // The files are the same for every pipeline: the JSON schema is checked on the first listing only.
      const schema = index === 0 ? [] : ['--json-schema-validation=false'];
      const list = await gitlabCiLocal(context, directory, ['--list-csv', ...schema, ...variableArgs(pipeline)], { timeoutMs: 60_000 });
      if (list.code !== 0) {
        findings.push({ file: '.gitlab-ci.yml', message: `${pipeline.name} pipeline: gitlab-ci-local --list-csv exited with ${list.code ?? list.failure}:\n${gitlabCiLocalOutput(list)}` });
        continue;
      }
      const jobs = listedJobs(list.stdout);
      context.log(`${pipeline.name}: ${jobs.join(', ') || '(no jobs)'}`);
      for (const job of jobs) listed.add(job);
      const chain = await gitlabCiLocal(context, directory, ['--validate-dependency-chain', '--json-schema-validation=false', ...variableArgs(pipeline)], { timeoutMs: 60_000 });
      if (chain.code !== 0) findings.push({ file: '.gitlab-ci.yml', message: `${pipeline.name} pipeline: a job needs a job that does not run:\n${gitlabCiLocalOutput(chain)}` });
    }
    if (findings.length === 0) {
      for (const job of declared) {
        if (!listed.has(job.name)) findings.push({ file: job.file, message: `job ${job.name} runs in none of the pipelines: ${PIPELINES.map((pipeline) => pipeline.name).join(', ')}` });
      }
    }
    return findings;
  },
};

/** A service container a job declares: its alias (the host name the job connects to) and image. */
interface JobService {
  alias: string;
  image: string;
}

function servicesOf(job: Record<string, unknown>): JobService[] {
  const services = Array.isArray(job.services) ? job.services : [];
  return services.map((service) => {
    const image = typeof service === 'string' ? service : String((service as { name?: unknown }).name ?? '');
    const alias = typeof service === 'object' && service !== null && typeof (service as { alias?: unknown }).alias === 'string' ? (service as { alias: string }).alias : (image.split(/[:@]/)[0]?.split('/').pop() ?? image);
    return { alias, image };
  });
}

/** Which local server stands in for a service image: `postgres` and `redis` images only. */
function standIn(image: string): 'postgres' | 'redis' | undefined {
  const repository = image.split(/[:@]/)[0]?.replace(/^docker\.io\/(library\/)?/, '') ?? '';
  return repository === 'postgres' ? 'postgres' : repository === 'redis' ? 'redis' : undefined;
}

/** Which local server each service-reading variable of a job gets, or the findings that keep the job from running. */
export function serviceVariables(name: string, job: Record<string, unknown>): { variables: Record<string, 'postgres' | 'redis'>; findings: Finding[] } {
  const findings: Finding[] = [];
  const declared = (typeof job.variables === 'object' && job.variables !== null ? job.variables : {}) as Record<string, unknown>;
  const variables: Record<string, 'postgres' | 'redis'> = {};
  for (const service of servicesOf(job)) {
    const kind = standIn(service.image);
    if (!kind) {
      findings.push({ file: TEST_JOBS_FILE, message: `job ${name}: service ${service.image} has no local stand-in (PostgreSQL and Redis only)` });
      continue;
    }
    const readers = Object.entries(declared).filter(([, value]) => typeof value === 'string' && URL.canParse(value) && /^[a-z][a-z0-9+.-]*:\/\//i.test(value) && new URL(value).hostname === service.alias);
    if (readers.length === 0) findings.push({ file: TEST_JOBS_FILE, message: `job ${name}: no variable points at service ${service.alias}, so the job never uses it` });
    for (const [variable] of readers) variables[variable] = kind;
  }
  return { variables, findings };
}

/** Runs one job of the test-stage file with the shell executor, its service variables pointing at local servers; returns its findings. */
async function runJob(directory: string, context: CheckContext, name: string, variables: Record<string, 'postgres' | 'redis'>, cleanups: (() => Promise<void>)[]): Promise<Finding[]> {
  const overrides: Record<string, string> = {};
  for (const [variable, kind] of Object.entries(variables)) {
    if (kind === 'postgres') {
      if (!context.postgresUrl) throw new Error('gitlab-ci-local-job needs a PostgreSQL server (the runner starts one for checks that ask for it)');
      const database = await throwawayDatabase(context.postgresUrl, 'gitlab_ci_local');
      cleanups.push(database.drop);
      overrides[variable] = database.url;
    } else {
      if (!context.redisUrl) throw new Error('gitlab-ci-local-job needs a Redis server (the runner starts one for checks that ask for it)');
      overrides[variable] = context.redisUrl;
    }
  }
  context.log(`${name}: ${Object.keys(overrides).join(', ') || 'no service variables'} → local servers`);
  const args = ['--force-shell-executor', ...Object.entries(overrides).flatMap(([variable, value]) => ['--variable', `${variable}=${value}`]), name];
  const result = await gitlabCiLocal(context, directory, args, { env: baseEnv(), timeoutMs: 10 * 60_000 });
  if (result.code !== 0) return [{ file: TEST_JOBS_FILE, message: `job ${name} failed: gitlab-ci-local exited with ${result.code ?? result.failure}:\n${gitlabCiLocalOutput(result)}` }];
  if (!new RegExp(`PASS\\s+${name}\\b`).test(result.all)) return [{ file: TEST_JOBS_FILE, message: `job ${name}: gitlab-ci-local exited 0 without reporting PASS ${name}:\n${gitlabCiLocalOutput(result)}` }];
  return [];
}

/** Writes a YAML file formatted by Prettier with the project's configuration (.prettierrc.json, .editorconfig). */
async function writeFormatted(directory: string, file: string, text: string): Promise<void> {
  const path = join(directory, file);
  const options = (await prettier.resolveConfig(path, { editorconfig: true })) ?? {};
  writeFileSync(path, await prettier.format(text, { ...options, filepath: path }));
}

/**
 * The app variants the GitLab test job runs on: PostgreSQL and Redis together
 * (both service mappings) and neither (no service at all). What this check
 * adds is the pipeline's wiring (scripts, services, variables); the app's own
 * lint, typecheck, tests and build run on every variant in service-proof, so
 * repeating the job on all sixteen would cost about half an hour cold for no
 * new evidence. Sentry and tracing change no job.
 */
export function runsGitlabTestJob(facts: Readonly<Record<string, unknown>>): boolean {
  return facts.hasSentry !== true && facts.hasTracing !== true && (facts.hasPostgres === true) === (facts.hasRedis === true);
}

export const gitlabCiLocalTestJobCheck: Check = {
  name: 'gitlab-ci-local-job',
  inputs: [TEST_JOBS_FILE, ...SERVICE_INPUTS, '.prettierrc.json', '.prettierignore', '.editorconfig'],
  appliesTo: [TEST_JOBS_FILE],
  when: runsGitlabTestJob,
  services: ['postgres', 'redis'],
  timeoutMs: 15 * 60_000,
  async tool(context: CheckContext): Promise<string> {
    const npm = (await runChecked('npm', ['--version'])).trim();
    return `gitlab-ci-local ${await gitlabCiLocalVersion(context)} shell executor on Node.js ${process.versions.node}, npm ${npm}`;
  },
  async run(directory: string, context: CheckContext): Promise<Finding[]> {
    const path = join(directory, TEST_JOBS_FILE);
    const jobs = (parse(readFileSync(path, 'utf8')) ?? {}) as Record<string, Record<string, unknown>>;
    const names = Object.keys(jobs).filter((name) => !name.startsWith('.'));
    if (names.length === 0) return [{ file: TEST_JOBS_FILE, message: 'declares no job' }];
    const plans = names.map((name) => ({ name, ...serviceVariables(name, jobs[name] as Record<string, unknown>) }));
    const refused = plans.flatMap((plan) => plan.findings);
    if (refused.length > 0) return refused;
    const lockfile = await run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: directory, env: baseEnv(), timeoutMs: 5 * 60_000 });
    if (lockfile.code !== 0) return [{ file: 'package.json', message: `npm install --package-lock-only exited with ${lockfile.code ?? lockfile.failure}:\n${lockfile.all.split('\n').slice(-20).join('\n')}` }];
    // The services are replaced by local servers (runJob); gitlab-ci-local would start them with Docker. The
    // rewritten files are formatted as the project's Prettier configuration does, for the job's format check.
    const local = Object.fromEntries(Object.entries(jobs).map(([name, job]) => [name, Object.fromEntries(Object.entries(job).filter(([key]) => key !== 'services'))]));
    await writeFormatted(directory, TEST_JOBS_FILE, stringify(local, { lineWidth: 0 }));
    await writeFormatted(directory, '.gitlab-ci.yml', stringify({ include: [{ local: TEST_JOBS_FILE }] }));
    await commitAsGitlabProject(directory, PROJECT);
    const findings: Finding[] = [];
    const cleanups: (() => Promise<void>)[] = [];
    try {
      for (const plan of plans) findings.push(...(await runJob(directory, context, plan.name, plan.variables, cleanups)));
    } finally {
      for (const cleanup of cleanups) await cleanup().catch((error: unknown) => context.log(`cleanup failed: ${(error as Error).message}`));
    }
    return findings;
  },
};

export default [gitlabCiLocalCheck, gitlabCiLocalTestJobCheck];

if (import.meta.main) {
  const chosen = process.argv.includes('--check') ? process.argv[process.argv.indexOf('--check') + 1] : gitlabCiLocalCheck.name;
  const check = [gitlabCiLocalCheck, gitlabCiLocalTestJobCheck].find((candidate) => candidate.name === chosen);
  if (!check) throw new Error(`--check: no check ${chosen}`);
  process.argv.splice(process.argv.indexOf('--check'), 2);
  await runStandalone(check);
}
