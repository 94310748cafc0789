/**
 * What gitlab-ci-local needs around a pipeline: a git repository with an
 * `origin` remote on gitlab.com (its predefined variables come from it), a
 * state directory and a HOME of its own, and the pipeline without GitLab's
 * `include: template:` entries, which it would download from gitlab.com.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import type { CheckContext } from '../../check.ts';
import { toolPath } from '../../support/direct-run.ts';
import { run, runChecked, type RunResult } from '../../support/process.ts';

const GIT = ['-c', 'user.name=gitlab-ci-local check', '-c', 'user.email=check@example.com', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main'];

/** Makes `directory` a git repository on branch main with every file committed and `origin` (https://gitlab.com/<project>.git) as its remote, origin/HEAD → main. */
export async function commitAsGitlabProject(directory: string, project: string): Promise<void> {
  const git = (...args: string[]) => runChecked('git', [...GIT, ...args], { cwd: directory, timeoutMs: 60_000 });
  await git('init', '--quiet');
  await git('remote', 'add', 'origin', `https://gitlab.com/${project}.git`);
  await git('add', '--all');
  await git('commit', '--quiet', '--no-verify', '--message', 'Pipeline under test');
  await git('update-ref', 'refs/remotes/origin/main', 'HEAD');
  await git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
}

/**
 * Removes the `include: template:` entries of the pipeline file at `path`
 * (rewritten as data) and returns the templates removed. They name files in
 * gitlab.com's own repository, which gitlab-ci-local downloads, and this
 * machine has no access to gitlab.com; local includes stay.
 */
export function dropTemplateIncludes(path: string): string[] {
  const pipeline = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const include = Array.isArray(pipeline.include) ? pipeline.include : pipeline.include === undefined ? [] : [pipeline.include];
  const isTemplate = (entry: unknown) => typeof entry === 'object' && entry !== null && 'template' in entry;
  const templates = include.filter(isTemplate).map((entry) => String((entry as { template: unknown }).template));
  if (templates.length === 0) return [];
  const kept = include.filter((entry) => !isTemplate(entry));
  const { include: _include, ...rest } = pipeline;
  writeFileSync(path, stringify(kept.length > 0 ? { include: kept, ...rest } : rest, { lineWidth: 0 }));
  return templates;
}

/** Lines of gitlab-ci-local output that change from run to run (timings), left out of findings. */
const TIMING = /\b(?:finished|validated) in \d+(?:\.\d+)? m?s\b/;

/** gitlab-ci-local's output without timing lines and blank lines, last `lines` lines. */
export function gitlabCiLocalOutput(result: RunResult, lines = 40): string {
  return result.all
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '' && !TIMING.test(line))
    .slice(-lines)
    .join('\n');
}

/**
 * Runs gitlab-ci-local in `directory` with a HOME of its own (no user-wide
 * variables) and its state directory outside the project, so the jobs (a
 * format check of every file, for one) never see it. gitlab-ci-local joins
 * `--state-dir` to the working directory, hence the relative path.
 */
export async function gitlabCiLocal(context: CheckContext, directory: string, args: readonly string[], options: { env?: Record<string, string>; timeoutMs: number }): Promise<RunResult> {
  const outside = mkdtempSync(join(tmpdir(), 'gitlab-ci-local-'));
  try {
    return await run(toolPath(context, 'gitlab-ci-local'), ['--home', join(outside, 'home'), '--state-dir', relative(directory, join(outside, 'state')), '--color=false', ...args], {
      cwd: directory,
      env: { ...(options.env ?? (process.env as Record<string, string>)), FORCE_COLOR: '0', NO_COLOR: '1' },
      timeoutMs: options.timeoutMs,
    });
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
}
