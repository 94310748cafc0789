/** The command line as a user runs it: a separate process, no TTY. */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { options } from '../generators/core/options.ts';
import { listFiles, readTree, repoRoot, runCli, workspaces } from './helpers.ts';

const workspace = workspaces('cpa-cli-');

const QUIET = ['--skip-install', '--skip-git'];
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

function savedAnswers(projectDir: string): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(projectDir, '.yo-rc.json'), 'utf8')) as Record<string, Record<string, unknown>>)['create-prodready-app'] ?? {};
}

describe('create-prodready-app', () => {
  it('--help lists every option with its choices and default, generated from the option model', async () => {
    const result = await runCli(['--help'], workspace());
    expect(result.exitCode).toBe(0);
    for (const option of options) {
      expect(result.stdout).toContain(`--${option.flag}`);
      if (option.type === 'boolean') expect(result.stdout).toContain(`--no-${option.flag}`);
      for (const choice of option.choices ?? []) expect(result.stdout).toContain(choice.description);
    }
    expect(result.stdout).toMatch(/\[default: postgres\]/);
    expect(result.stdout).toMatch(/--dry-run\s+Print the files/);
  });

  it('--version prints the package version', async () => {
    const result = await runCli(['--version'], workspace());
    expect(result).toMatchObject({ exitCode: 0, stdout: version });
  });

  it('without a TTY and without --yes it takes defaults and never waits for input', async () => {
    const cwd = workspace();
    // stdin is an open pipe that never sends anything: a prompt would hang until the timeout.
    const child = execa(process.execPath, [join(repoRoot, 'bin/create-prodready-app.js'), 'quiet-svc', ...QUIET], {
      cwd,
      env: { NO_COLOR: '1' },
      stdin: 'pipe',
      reject: false,
      timeout: 30_000,
    });
    const result = await child;
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(0);
    expect(savedAnswers(join(cwd, 'quiet-svc'))).toMatchObject({ name: 'quiet-svc', database: 'postgres', ci: 'github' });
  });

  it('writes the project, saves the answers with the generator version, and prints next steps', async () => {
    const cwd = workspace();
    const result = await runCli(['orders-api', '--yes', '--database', 'none', '--no-load-test', ...QUIET], cwd);
    expect(result.exitCode).toBe(0);
    const project = join(cwd, 'orders-api');
    expect(listFiles(project)).toEqual(expect.arrayContaining(['.editorconfig', '.gitignore', '.nvmrc', '.yo-rc.json', 'LICENSE', 'README.md', 'package.json']));
    expect(savedAnswers(project)).toMatchObject({ version, name: 'orders-api', database: 'none', backup: false, loadTest: false });
    expect(result.stdout).toMatch(/Created orders-api in \.\/orders-api/);
    expect(result.stdout).toMatch(/Next steps:\n\s+cd \.\/orders-api\n\s+npm install/);
    expect(result.stdout).not.toMatch(/\u001B\[/);
  });

  it('without a directory, writes ./<name>', async () => {
    const cwd = workspace();
    const result = await runCli(['--name', 'by-name', '--yes', ...QUIET], cwd);
    expect(result.exitCode).toBe(0);
    expect(existsSync(join(cwd, 'by-name', 'package.json'))).toBe(true);
  });

  it('--dry-run prints the tree and writes nothing', async () => {
    const cwd = workspace();
    const result = await runCli(['dry', '--yes', '--dry-run'], cwd);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Dry run for \.\/dry: \d+ new, 0 changed, 0 conflicting, 0 removed, 0 unchanged\.\nNew:\n/);
    expect(result.stdout).toMatch(/^ {2}package\.json$/m);
    expect(result.stdout).toMatch(/Nothing was written\./);
    expect(listFiles(cwd)).toEqual([]);
    expect(existsSync(join(cwd, 'dry'))).toBe(false);
  });

  it('--answers-file supplies answers (YAML and JSON) and flags override it', async () => {
    const cwd = workspace();
    writeFileSync(join(cwd, 'answers.yaml'), 'name: from-file\ndatabase: none\ncache: redis\nload-test: false\nslo: 99.5\n');
    const yaml = await runCli(['--answers-file', 'answers.yaml', '--cache', 'none', ...QUIET], cwd);
    expect(yaml.exitCode).toBe(0);
    expect(savedAnswers(join(cwd, 'from-file'))).toMatchObject({ name: 'from-file', database: 'none', cache: 'none', loadTest: false, slo: 99.5 });

    writeFileSync(join(cwd, 'answers.json'), JSON.stringify({ name: 'json-file', license: 'BSD-3-Clause', tracing: true }));
    const json = await runCli(['--answers-file', 'answers.json', ...QUIET], cwd);
    expect(json.exitCode).toBe(0);
    expect(savedAnswers(join(cwd, 'json-file'))).toMatchObject({ license: 'BSD-3-Clause', tracing: true });
  });

  it('inside a generated project, reuses the saved answers; identical files are left alone', async () => {
    const cwd = workspace();
    expect((await runCli(['again', '--yes', '--database', 'none', '--owner', 'acme', ...QUIET], cwd)).exitCode).toBe(0);
    const project = join(cwd, 'again');
    const before = readTree(project);
    const rerun = await runCli(['--yes', ...QUIET], project);
    expect(rerun.exitCode).toBe(0);
    expect(rerun.stdout).toMatch(/0 files written/);
    expect(readTree(project)).toEqual(before);
    expect(savedAnswers(project)).toMatchObject({ database: 'none', owner: 'acme' });
  });

  it('never overwrites a changed file without --force, and does with it', async () => {
    const cwd = workspace();
    expect((await runCli(['mine', '--yes', ...QUIET], cwd)).exitCode).toBe(0);
    const project = join(cwd, 'mine');
    writeFileSync(join(project, 'README.md'), '# my own notes\n');
    const refused = await runCli(['--yes', ...QUIET], project);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toBe(
      'Error: 1 existing file(s) in . would be overwritten or removed:\n  - README.md (changed since it was generated)\nNothing was written. Pass --force to overwrite or remove them.',
    );
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toBe('# my own notes\n');

    const forced = await runCli(['--yes', '--force', ...QUIET], project);
    expect(forced.exitCode).toBe(0);
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toMatch(/^# Mine\n/);
  });

  it('--force writes into a non-empty directory and keeps unrelated files', async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'existing'));
    writeFileSync(join(cwd, 'existing', 'notes.txt'), 'keep me\n');
    const result = await runCli(['existing', '--yes', '--force', ...QUIET], cwd);
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(cwd, 'existing', 'notes.txt'), 'utf8')).toBe('keep me\n');
    expect(existsSync(join(cwd, 'existing', 'package.json'))).toBe(true);
  });

  it('creates a git repository with an initial commit unless --skip-git or already inside a work tree', async () => {
    const cwd = workspace();
    const env = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
    const result = await runCli(['with-git', '--yes', '--skip-install'], cwd, env);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ {2}\[\d+\.\d s\] Initialised a git repository with an initial commit\b/m);
    expect(result.stderr).toMatch(
      /^\[\d\d:\d\d:\d\d\] Creating a git repository with an initial commit…\n\[\d\d:\d\d:\d\d\] Creating a git repository with an initial commit… done in \d+\.\d s$/,
    );
    const log = await execa('git', ['log', '--format=%s', '-1'], { cwd: join(cwd, 'with-git'), env });
    expect(log.stdout).toBe(`Initial commit from create-prodready-app ${version}`);
    const status = await execa('git', ['status', '--porcelain'], { cwd: join(cwd, 'with-git'), env });
    expect(status.stdout).toBe('');

    const nested = await runCli(['nested', '--yes', '--skip-install'], join(cwd, 'with-git'), env);
    expect(nested.exitCode).toBe(0);
    expect(nested.stdout).toMatch(/already inside a git work tree/);
    expect(existsSync(join(cwd, 'with-git', 'nested', '.git'))).toBe(false);
  });

  it('when npm install fails, says what failed and how to finish, and keeps the project', async () => {
    const cwd = workspace();
    const fakeBin = join(cwd, 'fake-bin');
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, 'npm'), '#!/bin/sh\necho "npm ERR! network request failed: ETIMEDOUT" >&2\nexit 7\n');
    chmodSync(join(fakeBin, 'npm'), 0o755);
    const result = await runCli(['offline', '--yes', '--skip-git'], cwd, { PATH: `${fakeBin}:${process.env.PATH}` });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^\[\d\d:\d\d:\d\d\] Installing dependencies with npm… failed after \d+\.\d s$/m);
    expect(result.stderr).toMatch(/^Error: Dependencies were not installed: npm install exited with code 7\.\nnpm ERR! network request failed: ETIMEDOUT\n/m);
    expect(result.stderr).toMatch(/Finish by hand:\n {2}cd \.\/offline\n {2}npm install$/);
    expect(existsSync(join(cwd, 'offline', 'package.json'))).toBe(true);
  });

  it('an interrupted run (SIGINT) leaves either nothing or the complete project', async () => {
    const cwd = workspace();
    const reference = workspace();
    expect((await runCli(['svc', '--yes', ...QUIET], reference)).exitCode).toBe(0);
    const complete = listFiles(join(reference, 'svc'));
    for (const delay of [50, 250, 500, 700]) {
      const dir = join(cwd, `interrupted-${delay}`);
      mkdirSync(dir);
      const child = execa(process.execPath, [join(repoRoot, 'bin/create-prodready-app.js'), 'svc', '--yes', ...QUIET], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });
      setTimeout(() => child.kill('SIGINT'), delay);
      const result = await child;
      const files = listFiles(join(dir, 'svc'));
      expect(files.length === 0 ? [] : files).toEqual(files.length === 0 ? [] : complete);
      if (result.exitCode !== 0) expect(result.exitCode === 130 || result.signal === 'SIGINT').toBe(true);
      expect(listFiles(dir).filter((path) => !path.startsWith('svc/'))).toEqual([]);
    }
  });

  it('NO_COLOR is respected even on a colour terminal', async () => {
    const result = await runCli(['Bad_Name', '--yes'], workspace(), { FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(result.stderr).not.toMatch(/\u001B\[/);
  });
});
