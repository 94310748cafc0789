/**
 * Re-running in a generated project stays consistent: .yo-rc.json records
 * every generated file's sha256; files the new answers no longer produce are
 * removed when unchanged and are conflicts when edited; and the result passes
 * its own typecheck, lint and tests after each change.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { listFiles, removeDir, runCli, scratchDir } from './helpers.ts';
import { parseManifestLines } from '../generators/core/write-plan.ts';

const QUIET = ['--skip-install', '--skip-git'];
const scratch: string[] = [];
afterAll(() => scratch.forEach(removeDir), 120_000);
function workspace(): string {
  const dir = scratchDir('cpa-rerun-');
  scratch.push(dir);
  return dir;
}

function recordedFiles(project: string): Record<string, string> {
  const lines = (JSON.parse(readFileSync(join(project, '.yo-rc.json'), 'utf8')) as Record<string, { files?: string[] }>)['create-prodready-app']?.files ?? [];
  return parseManifestLines(lines) ?? {};
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('re-running in a generated project', () => {
  it('.yo-rc.json records every other generated file with its sha256, sorted', async () => {
    const cwd = workspace();
    expect((await runCli(['svc', '--yes', ...QUIET], cwd)).exitCode).toBe(0);
    const project = join(cwd, 'svc');
    const files = recordedFiles(project);
    expect(Object.keys(files)).toEqual(listFiles(project).filter((path) => path !== '.yo-rc.json'));
    for (const [path, hash] of Object.entries(files)) expect(hash, path).toBe(sha256(join(project, path)));
  });

  it('records the hashes as sha256sum lines that gitleaks\' default rules do not take for secrets (paths naming sentry, token or key)', async () => {
    const cwd = workspace();
    expect((await runCli(['svc', '--yes', '--sentry', ...QUIET], cwd)).exitCode).toBe(0);
    const project = join(cwd, 'svc');
    const lines = (JSON.parse(readFileSync(join(project, '.yo-rc.json'), 'utf8')) as Record<string, { files: string[] }>)['create-prodready-app']?.files ?? [];
    expect(lines.some((line) => /sentry/.test(line))).toBe(true);
    const gitleaks = join(homedir(), '.cache', 'prodready', 'tools', 'bin', 'gitleaks');
    if (!existsSync(gitleaks) && process.env.PRODREADY_REQUIRE_TOOLS !== '1') return;
    const scan = await execa(gitleaks, ['dir', '.yo-rc.json', '--no-banner', '--report-format', 'json', '--report-path', '-', '--exit-code', '0', '--ignore-gitleaks-allow', '--log-level', 'error'], { cwd: project, reject: false });
    expect(scan.exitCode).toBe(0);
    expect(JSON.parse(scan.stdout || '[]')).toEqual([]);
  });

  it('a file no longer produced but edited since is a conflict, kept without --force and removed with it', async () => {
    const cwd = workspace();
    expect((await runCli(['svc', '--yes', ...QUIET], cwd)).exitCode).toBe(0);
    const project = join(cwd, 'svc');
    writeFileSync(join(project, 'deploy/backup/Dockerfile'), '# tuned by hand\n');
    const refused = await runCli(['--yes', '--no-backup', ...QUIET], project);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toBe(
      'Error: 1 existing file(s) in . would be overwritten or removed:\n  - deploy/backup/Dockerfile (no longer generated, but changed since it was generated)\nNothing was written. Pass --force to overwrite or remove them.',
    );
    expect(readFileSync(join(project, 'deploy/backup/Dockerfile'), 'utf8')).toBe('# tuned by hand\n');
    expect(existsSync(join(project, 'deploy/kubernetes/components/backup/kustomization.yaml'))).toBe(true);

    const forced = await runCli(['--yes', '--no-backup', '--force', ...QUIET], project);
    expect(forced.exitCode).toBe(0);
    expect(existsSync(join(project, 'deploy/backup'))).toBe(false);
    expect(Object.keys(recordedFiles(project)).filter((path) => path.startsWith('deploy/backup/'))).toEqual([]);
  });

  it('after each of several option changes, stale files are gone and the project passes its own typecheck, lint and tests', async () => {
    const cwd = workspace();
    expect((await runCli(['svc', '--yes', ...QUIET], cwd)).exitCode).toBe(0);
    const project = join(cwd, 'svc');
    const env = { npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'), npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };
    // The generated project ships no lockfile, so the one install is `npm install`; every change below only removes dependencies.
    await execa('npm', ['install', '--prefer-offline'], { cwd: project, env, stdin: 'ignore' });
    const changes: Array<{ args: string[]; gone: string[] }> = [
      { args: ['--no-backup'], gone: ['deploy/backup/Dockerfile', 'deploy/kubernetes/components/backup/kustomization.yaml'] },
      { args: ['--database', 'none'], gone: ['src/db', 'src/migrate.ts'] },
      { args: ['--ci', 'gitlab'], gone: ['.github'] },
    ];
    for (const change of changes) {
      // Each run keeps the answers saved by the previous one (backup stays off).
      const rerun = await runCli(['--yes', '--force', ...QUIET, ...change.args], project);
      expect(rerun.exitCode, rerun.stderr).toBe(0);
      for (const path of change.gone) expect(existsSync(join(project, path)), path).toBe(false);
      const recorded = recordedFiles(project);
      // What the previous round's npm commands produced (all git-ignored) is not the generator's.
      const generated = listFiles(project).filter((path) => path !== '.yo-rc.json' && path !== 'package-lock.json' && !/^(coverage|dist|\.data)\//.test(path));
      expect(Object.keys(recorded)).toEqual(generated);
      for (const script of [['run', 'typecheck'], ['run', 'lint'], ['test']]) {
        const result = await execa('npm', script, { cwd: project, env, reject: false, all: true, stdin: 'ignore' });
        expect(result.exitCode, `${change.args.join(' ')}: npm ${script.join(' ')}\n${result.all}`).toBe(0);
      }
    }
    // One npm install and three rounds of typecheck, lint and tests: about 5 minutes on a busy 2-core machine.
  }, 20 * 60_000);
});
