/**
 * What happens after the files are on disk: npm install and git init with an
 * initial commit. Each step runs on its own (git init still runs when npm
 * install failed), shows its progress (progress.ts), reports its outcome with
 * the cause and its duration, and a failed git step leaves no half repository
 * behind.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startStep } from '../core/progress.ts';

/** The steps after writing, by the name --json reports them under. */
export type StepName = 'install' | 'git';

/** ok: done; failed: the user has something left to do; skipped: not run (by a flag, or nothing to do). */
export type StepResult = 'ok' | 'failed' | 'skipped';

/** The outcome of one step after writing. */
export interface StepOutcome {
  name: StepName;
  outcome: StepResult;
  /** Wall-clock time the step took, in whole milliseconds (0 for a step skipped by a flag). */
  durationMs: number;
  /** One line for the summary, e.g. "Installed dependencies (npm install)." */
  summary: string;
  /** The flag that skipped the step; the human summary leaves such steps out (the user asked for it). */
  skippedBy?: '--skip-install' | '--skip-git';
  /** Why it failed: the tool's own last lines of output. */
  cause?: string;
  /** The exact commands left to run in the project directory. */
  commands: string[];
}

/** At most `count` last non-empty lines of a tool's output. */
function lastLines(text: string | undefined, count: number): string {
  return (text ?? '').trim().split('\n').filter((line) => line.trim() !== '').slice(-count).join('\n');
}

/** The outcome of a step the user skipped with `flag`. */
export function skippedStep(name: StepName, flag: '--skip-install' | '--skip-git'): StepOutcome {
  const what = name === 'install' ? 'npm install' : 'git init';
  return { name, outcome: 'skipped', durationMs: 0, summary: `Skipped ${what} (${flag}).`, skippedBy: flag, commands: [] };
}

/** Runs `npm install` in `root`, showing its progress on stderr; never throws. */
export async function installDependencies(root: string): Promise<StepOutcome> {
  const step = await startStep('Installing dependencies with npm');
  // execa is loaded on first use: a run with --skip-install --skip-git never pays for it (~50 ms of a cold start).
  const { execa } = await import('execa');
  const result = await execa('npm', ['install', '--no-fund', '--no-audit'], { cwd: root, reject: false, all: true, stdin: 'ignore' });
  const durationMs = step.finish(result.exitCode === 0);
  if (result.exitCode === 0) return { name: 'install', outcome: 'ok', durationMs, summary: 'Installed dependencies (npm install).', commands: [] };
  const started = !(result.failed && result.exitCode === undefined);
  const reason = started ? `npm install exited with code ${result.exitCode}` : `npm could not be started (${result.shortMessage ?? 'not found'})`;
  return { name: 'install', outcome: 'failed', durationMs, summary: `Dependencies were not installed: ${reason}.`, cause: lastLines(result.all, 15), commands: ['npm install'] };
}

async function git(root: string, args: string[]) {
  const { execa } = await import('execa');
  return execa('git', args, { cwd: root, reject: false, stdin: 'ignore', all: true });
}

/** The identity git would commit with, or a stated fallback for the parts it lacks. */
async function commitIdentity(root: string): Promise<{ args: string[]; fallback?: string }> {
  const email = await git(root, ['config', 'user.email']);
  const name = await git(root, ['config', 'user.name']);
  if (email.exitCode === 0 && name.exitCode === 0) return { args: [] };
  const author = name.exitCode === 0 ? name.stdout.trim() : 'create-prodready-app';
  const address = email.exitCode === 0 ? email.stdout.trim() : 'create-prodready-app@localhost';
  return { args: ['-c', `user.name=${author}`, '-c', `user.email=${address}`], fallback: `${author} <${address}>` };
}

/**
 * `git init` + `git add --all` + an initial commit in `root`, showing its
 * progress on stderr; never throws. Skipped when git is missing or `root` is
 * already inside a work tree. When a step fails, the `.git` this run created
 * is removed again.
 */
export async function initGitRepository(root: string, message: string): Promise<StepOutcome> {
  const started = performance.now();
  const since = () => Math.round(performance.now() - started);
  const probe = await git(root, ['rev-parse', '--is-inside-work-tree']);
  if (probe.failed && probe.exitCode === undefined) {
    return { name: 'git', outcome: 'skipped', durationMs: since(), summary: 'Skipped git init: git is not installed.', commands: [] };
  }
  if (probe.exitCode === 0 && probe.stdout.trim() === 'true') {
    return { name: 'git', outcome: 'skipped', durationMs: since(), summary: 'Skipped git init: the directory is already inside a git work tree.', commands: [] };
  }
  const dotGit = join(root, '.git');
  if (existsSync(dotGit)) {
    return { name: 'git', outcome: 'failed', durationMs: since(), summary: 'Skipped git init: .git exists but is not a working git repository.', cause: lastLines(probe.all, 5), commands: [] };
  }
  const step = await startStep('Creating a git repository with an initial commit');
  const outcome = await createRepository(root, dotGit, message);
  step.finish(outcome.outcome === 'ok');
  return { ...outcome, durationMs: since() };
}

/** git init, add and the initial commit; on a failure the `.git` is removed. `durationMs` is filled in by the caller. */
async function createRepository(root: string, dotGit: string, message: string): Promise<StepOutcome> {
  const commands = ['git init --initial-branch=main', 'git add --all', `git commit -m "${message}"`];
  const identity = await commitIdentity(root);
  const steps: Array<[string, string[]]> = [
    ['git init', ['init', '--quiet', '--initial-branch=main']],
    ['git add', ['add', '--all']],
    ['the initial commit', [...identity.args, 'commit', '--quiet', '--no-verify', '-m', message]],
  ];
  for (const [label, args] of steps) {
    const result = await git(root, args);
    if (result.exitCode === 0) continue;
    rmSync(dotGit, { recursive: true, force: true });
    return {
      name: 'git',
      outcome: 'failed',
      durationMs: 0,
      summary: `No git repository was created: ${label} failed (git exited with code ${result.exitCode}); the partial .git was removed.`,
      cause: lastLines(result.all, 10),
      commands,
    };
  }
  const summary = identity.fallback
    ? `Initialised a git repository with an initial commit by ${identity.fallback}, because git has no user.name or user.email configured. To make it yours: git config --global user.name "Your Name" && git config --global user.email you@example.com && git commit --amend --reset-author --no-edit`
    : 'Initialised a git repository with an initial commit.';
  return { name: 'git', outcome: 'ok', durationMs: 0, summary, commands: [] };
}

/** A step after writing failed: the files are complete, the message lists what is left (exit 1). */
export class PostWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PostWriteError';
  }
}

/**
 * The error for failed steps, or undefined when none failed: each failure with
 * its cause, then the exact commands left, starting with `cd displayPath`.
 */
export function postWriteError(outcomes: readonly StepOutcome[], displayPath: string): PostWriteError | undefined {
  const failed = outcomes.filter((outcome) => outcome.outcome === 'failed');
  if (failed.length === 0) return undefined;
  const parts = failed.map((outcome) => `${outcome.summary}${outcome.cause ? `\n${outcome.cause}` : ''}`);
  const commands = failed.flatMap((outcome) => outcome.commands);
  const finish = commands.length > 0 ? `\n\nThe project files are written and complete. Finish by hand:\n  cd ${displayPath}\n${commands.map((command) => `  ${command}`).join('\n')}` : '';
  return new PostWriteError(`${parts.join('\n\n')}${finish}`);
}
