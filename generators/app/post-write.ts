/** What happens after the files are on disk: npm install and git init. */
import { execa } from 'execa';
import { progress } from '../core/output.ts';

export class InstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstallError';
  }
}

export async function installDependencies(root: string, displayPath: string): Promise<void> {
  const spinner = progress('Installing dependencies (npm install)');
  const result = await execa('npm', ['install', '--no-fund', '--no-audit'], { cwd: root, reject: false, all: true, stdin: 'ignore' });
  spinner.stop(result.exitCode === 0);
  if (result.exitCode !== 0) {
    const tail = (result.all ?? '').trim().split('\n').slice(-15).join('\n');
    const cause = result.failed && result.exitCode === undefined ? (result.shortMessage ?? 'npm could not be started') : `npm install exited with code ${result.exitCode}`;
    throw new InstallError(
      `${cause}.\n${tail}\n\nThe project files are written and complete. Finish by hand:\n  cd ${displayPath}\n  npm install`,
    );
  }
}

async function git(root: string, args: string[]) {
  return execa('git', args, { cwd: root, reject: false, stdin: 'ignore' });
}

export type GitOutcome = 'created' | 'inside-work-tree' | 'git-missing' | 'failed';

export async function initGitRepository(root: string, message: string): Promise<GitOutcome> {
  const probe = await git(root, ['rev-parse', '--is-inside-work-tree']);
  if (probe.failed && probe.exitCode === undefined) return 'git-missing';
  if (probe.exitCode === 0 && probe.stdout.trim() === 'true') return 'inside-work-tree';
  const identity: string[] = [];
  if ((await git(root, ['config', 'user.email'])).exitCode !== 0) identity.push('-c', 'user.email=create-prodready-app@localhost');
  if ((await git(root, ['config', 'user.name'])).exitCode !== 0) identity.push('-c', 'user.name=create-prodready-app');
  for (const args of [['init', '--quiet', '--initial-branch=main'], ['add', '--all'], [...identity, 'commit', '--quiet', '--no-verify', '-m', message]]) {
    if ((await git(root, args)).exitCode !== 0) return 'failed';
  }
  return 'created';
}
