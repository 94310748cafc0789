/**
 * The gitlab-ci-local checks: the generated GitLab pipeline lists for every
 * pipeline source and its test job runs green with the shell executor against
 * real PostgreSQL and Redis servers; broken pipelines and failing jobs give
 * the exact findings a user reads.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { renderProject } from '../../generators/app/render.ts';
import { defaultToolsDir } from '../../matrix/cache.ts';
import type { CheckContext } from '../../matrix/check.ts';
import { gitlabCiLocalCheck, gitlabCiLocalTestJobCheck, listedJobs } from '../../matrix/checks/gitlab-ci-local.ts';
import { Services } from '../../matrix/services.ts';
import { selectFiles } from '../../matrix/support/direct-run.ts';

const toolsDir = defaultToolsDir();
const context: CheckContext = { toolsDir, log: () => {} };
const scratch = mkdtempSync(join(tmpdir(), 'gitlab-ci-local-test-'));
const services = new Services();
afterAll(async () => {
  await services.stopAll();
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);
const installed = existsSync(join(toolsDir, 'bin', 'gitlab-ci-local'));

let directories = 0;
/** Writes the files into a new directory; with `only`, just the files the check takes (as the runner does). */
function write(files: ReadonlyMap<string, string> | Record<string, string>, only?: typeof gitlabCiLocalCheck): string {
  const directory = join(scratch, String(directories++));
  const all = files instanceof Map ? files : new Map(Object.entries(files));
  const keep = only ? new Set(selectFiles(only, [...all.keys()]).contents) : undefined;
  for (const [path, content] of all) {
    if (keep && !keep.has(path)) continue;
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    writeFileSync(join(directory, path), content);
  }
  return directory;
}

const gitlab = renderProject({ name: 'orders-api', ci: 'gitlab', deploy: 'both', database: 'postgres', cache: 'redis' });

/** The generated files with one pipeline document changed. */
async function withPipeline(file: string, change: (document: Record<string, Record<string, unknown>>) => void): Promise<Map<string, string>> {
  const files = new Map((await gitlab).files);
  const document = parse(files.get(file) as string) as Record<string, Record<string, unknown>>;
  change(document);
  files.set(file, stringify(document, { lineWidth: 0 }));
  return files;
}

describe('listedJobs', () => {
  it('reads the job names of a --list-csv table', () => {
    expect(listedJobs('name;stage;when;allowFailure;environment;needs\nci;test;on_success;false;;\ndeploy-staging;deploy;on_success;false;staging;[publish-image]\n')).toEqual(['ci', 'deploy-staging']);
    expect(listedJobs('name;stage;when;allowFailure;environment;needs\n')).toEqual([]);
  });
});

describe.skipIf(!installed)('gitlab-ci-local', () => {
  it('lists the generated pipeline for every pipeline source', async () => {
    expect(await gitlabCiLocalCheck.tool(context)).toBe('gitlab-ci-local 4.75.1 (--list-csv, --validate-dependency-chain per pipeline source)');
    expect(await gitlabCiLocalCheck.run(write((await gitlab).files, gitlabCiLocalCheck), context)).toEqual([]);
  });

  it('finds a deploy that needs a job its pipeline does not run', async () => {
    const files = await withPipeline('.gitlab-ci.yml', (pipeline) => {
      (pipeline['trivy-image'] as Record<string, unknown>).rules = [{ if: '$CI_COMMIT_TAG =~ /^v/' }];
    });
    const findings = await gitlabCiLocalCheck.run(write(files, gitlabCiLocalCheck), context);
    expect(findings.map((finding) => finding.message.split('\n')[0])).toEqual(['main pipeline: a job needs a job that does not run:']);
    expect(findings[0]?.message).toContain('trivy-image');
  });

  it('finds a job without a script and a job no pipeline runs', async () => {
    const noScript = await withPipeline('.gitlab/ci/test.yml', (jobs) => {
      const job = jobs.ci as Record<string, unknown>;
      job.scripts = job.script;
      delete job.script;
    });
    const [finding, ...rest] = await gitlabCiLocalCheck.run(write(noScript, gitlabCiLocalCheck), context);
    expect(rest).toHaveLength(4);
    expect(finding?.file).toBe('.gitlab-ci.yml');
    expect(finding?.message).toMatch(/^merge request pipeline: gitlab-ci-local --list-csv exited with 1:\n/);
    expect(finding?.message).toContain('ci must have script specified');

    const never = await withPipeline('.gitlab-ci.yml', (pipeline) => {
      (pipeline.rollback as Record<string, unknown>).rules = [{ if: '$CI_PIPELINE_SOURCE == "api"' }];
    });
    expect(await gitlabCiLocalCheck.run(write(never, gitlabCiLocalCheck), context)).toEqual([
      { file: '.gitlab-ci.yml', message: 'job rollback runs in none of the pipelines: merge request, main, tag v1.0.0, run by hand, schedule' },
    ]);
  });
});

/** A project whose test job needs no npm packages: fast to run, and its job's commands are what the test controls. */
function tinyProject(job: Record<string, unknown>): Record<string, string> {
  return {
    'package.json': `${JSON.stringify({ name: 'tiny', version: '1.0.0', private: true }, null, 2)}\n`,
    '.gitlab/ci/test.yml': stringify({ ci: { stage: 'test', image: 'node:24', rules: [{ if: '$CI_COMMIT_BRANCH' }], ...job } }),
  };
}

describe.skipIf(!installed)('gitlab-ci-local-job', () => {
  it(
    'runs the generated test job (npm ci, format, lint, type check, tests, build) against real PostgreSQL and Redis',
    async () => {
      const urls = await services.ensure(['postgres', 'redis']);
      const directory = write((await gitlab).files, gitlabCiLocalTestJobCheck);
      expect(await gitlabCiLocalTestJobCheck.run(directory, { ...context, ...urls })).toEqual([]);
      expect(existsSync(join(directory, 'coverage'))).toBe(true);
      expect(existsSync(join(directory, 'dist', 'server.js'))).toBe(true);
    },
    600_000,
  );

  it('reports a failing job with the command that failed, and passes a job that succeeds', async () => {
    const failing = write(tinyProject({ script: ['test -f README.md'] }));
    const [finding, ...rest] = await gitlabCiLocalTestJobCheck.run(failing, context);
    expect(rest).toEqual([]);
    expect(finding?.file).toBe('.gitlab/ci/test.yml');
    expect(finding?.message).toMatch(/^job ci failed: gitlab-ci-local exited with 1:\n/);
    expect(finding?.message).toContain('$ test -f README.md');
    expect(finding?.message).toContain('FAIL  ci');

    const passing = write(tinyProject({ script: ['test -f package-lock.json', 'test -f package.json'] }));
    expect(await gitlabCiLocalTestJobCheck.run(passing, context)).toEqual([]);
  }, 120_000);

  it('refuses services it has no stand-in for, and services no variable points at', async () => {
    const mysql = write(tinyProject({ services: [{ name: 'mysql:8', alias: 'mysql' }], variables: { DATABASE_URL: 'mysql://root@mysql:3306/app' }, script: ['true'] }));
    expect(await gitlabCiLocalTestJobCheck.run(mysql, context)).toEqual([{ file: '.gitlab/ci/test.yml', message: 'job ci: service mysql:8 has no local stand-in (PostgreSQL and Redis only)' }]);
    const unused = write(tinyProject({ services: [{ name: 'redis:7', alias: 'redis' }], variables: { REDIS_URL: 'redis://localhost:6379' }, script: ['true'] }));
    expect(await gitlabCiLocalTestJobCheck.run(unused, context)).toEqual([{ file: '.gitlab/ci/test.yml', message: 'job ci: no variable points at service redis, so the job never uses it' }]);
    expect(readFileSync(join(unused, '.gitlab/ci/test.yml'), 'utf8')).toContain('redis:7');
  }, 60_000);
});
