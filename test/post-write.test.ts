/**
 * The steps after writing (npm install, git init + initial commit): each runs
 * on its own, says what happened and why, and a failed git step leaves no half
 * repository; the message lists the exact commands left.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { binPath, repoRoot, runCli, workspaces } from './helpers.ts';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const workspace = workspaces('cpa-post-');

/** Git reads no global or system config and this identity from GIT_CONFIG_* variables, plus `extra` settings. */
function gitEnv(home: string, settings: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { HOME: home, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  const entries = Object.entries(settings);
  env.GIT_CONFIG_COUNT = String(entries.length);
  entries.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}

const IDENTITY = { 'user.name': 'Ada Lovelace', 'user.email': 'ada@example.com' };

/** A directory with an `npm` that fails like an offline install. */
function failingNpm(cwd: string): string {
  const fakeBin = join(cwd, 'fake-bin');
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, 'npm'), '#!/bin/sh\necho "npm ERR! network request failed: ETIMEDOUT" >&2\nexit 7\n');
  chmodSync(join(fakeBin, 'npm'), 0o755);
  return fakeBin;
}

describe('after writing', () => {
  it('when npm install fails, git init still runs, and the recovery lists only what is left', async () => {
    const cwd = workspace();
    const env = { ...gitEnv(cwd, IDENTITY), PATH: `${failingNpm(cwd)}:${process.env.PATH}` };
    const result = await runCli(['offline', '--yes'], cwd, env);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^ {2}\[\d+\.\d s\] Dependencies were not installed: npm install exited with code 7\.\n {2}\[\d+\.\d s\] Initialised a git repository with an initial commit\.\n/m);
    expect(result.stderr).toMatch(
      /Error: Dependencies were not installed: npm install exited with code 7\.\nnpm ERR! network request failed: ETIMEDOUT\n\nThe project files are written and complete\. Finish by hand:\n {2}cd \.\/offline\n {2}npm install$/,
    );
    const log = await execa('git', ['log', '--format=%an <%ae>|%s'], { cwd: join(cwd, 'offline'), env });
    expect(log.stdout).toBe(`Ada Lovelace <ada@example.com>|Initial commit from create-prodready-app ${version}`);
  });

  it('without a TTY each step shows timestamped start and end lines on stderr, and the summary gives each step\'s time', async () => {
    const cwd = workspace();
    const slowNpm = join(cwd, 'slow-bin');
    mkdirSync(slowNpm);
    writeFileSync(join(slowNpm, 'npm'), '#!/bin/sh\nsleep 1.2\n');
    chmodSync(join(slowNpm, 'npm'), 0o755);
    const result = await runCli(['slow', '--yes'], cwd, { ...gitEnv(cwd, IDENTITY), PATH: `${slowNpm}:${process.env.PATH}` });
    expect(result.exitCode).toBe(0);
    const lines = result.stderr.split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] Installing dependencies with npm…$/),
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] Installing dependencies with npm… done in \d+\.\d s$/),
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] Creating a git repository with an initial commit…$/),
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] Creating a git repository with an initial commit… done in \d+\.\d s$/),
    ]);
    expect(Number(/done in (\d+\.\d) s/.exec(lines[1] as string)?.[1])).toBeGreaterThanOrEqual(1.2);
    const installed = /^ {2}\[(\d+\.\d) s\] Installed dependencies \(npm install\)\.$/m.exec(result.stdout);
    expect(Number(installed?.[1])).toBeGreaterThanOrEqual(1.2);
    expect(result.stdout).toMatch(/^ {2}\[\d+\.\d s\] Initialised a git repository with an initial commit\.$/m);
  });

  it('a reader that goes away (| head -1) does not stop the run: every step still runs and the exit code is 0', async () => {
    const cwd = workspace();
    const slowNpm = join(cwd, 'slow-bin');
    mkdirSync(slowNpm);
    writeFileSync(join(slowNpm, 'npm'), '#!/bin/sh\nsleep 0.5\n');
    chmodSync(join(slowNpm, 'npm'), 0o755);
    const script = `"${process.execPath}" "${binPath}" piped --yes 2>&1 | head -1; echo "exit=\${PIPESTATUS[0]}"`;
    const result = await execa('bash', ['-c', script], { cwd, reject: false, env: { ...gitEnv(cwd, IDENTITY), NO_COLOR: '1', PATH: `${slowNpm}:${process.env.PATH}` } });
    expect(result.stdout.split('\n')).toEqual([expect.stringMatching(/^\[\d\d:\d\d:\d\d\] Installing dependencies with npm…$/), 'exit=0']);
    expect(existsSync(join(cwd, 'piped', '.git'))).toBe(true);
    const log = await execa('git', ['log', '--format=%s'], { cwd: join(cwd, 'piped') });
    expect(log.stdout).toBe(`Initial commit from create-prodready-app ${version}`);
  });

  it('on a terminal each step shows a spinner that ends with the step\'s time and shows the cursor again; NO_COLOR leaves out colours', async () => {
    const cwd = workspace();
    const slowNpm = join(cwd, 'slow-bin');
    mkdirSync(slowNpm);
    writeFileSync(join(slowNpm, 'npm'), '#!/bin/sh\nsleep 1.2\n');
    chmodSync(join(slowNpm, 'npm'), 0o755);
    // script(1) runs the CLI on a pseudo-terminal; CI is left out of the environment, as a spinner is for people.
    const command = `${process.execPath} ${binPath} tty-svc --yes --skip-git`;
    const result = await execa('script', ['-qec', command, '/dev/null'], {
      cwd,
      extendEnv: false,
      env: { PATH: `${slowNpm}:${process.env.PATH}`, HOME: cwd, TERM: 'xterm-256color', NO_COLOR: '1' },
      reject: false,
      stdin: 'ignore',
      timeout: 120_000,
    });
    expect(result.exitCode).toBe(0);
    const output = String(result.stdout);
    expect(output).toMatch(/\u001B\[\?25l[\s\S]*⠋ Installing dependencies with npm[\s\S]*\u001B\[\?25h/);
    expect(output).toMatch(/✔ Installing dependencies with npm \(\d+\.\d s\)\r\n/);
    expect(output).toMatch(/ {2}\[\d+\.\d s\] Installed dependencies \(npm install\)\./);
    expect(output).not.toMatch(/\u001B\[[\d;]*m/);
    expect(output).not.toMatch(/\[\d\d:\d\d:\d\d\]/);
  });

  it('a failed initial commit (signing with a broken gpg) shows git\'s cause, removes the half repository and lists the commands left', async () => {
    const cwd = workspace();
    const env = gitEnv(cwd, { ...IDENTITY, 'commit.gpgsign': 'true', 'gpg.program': '/bin/false' });
    const result = await runCli(['signed', '--yes', '--skip-install'], cwd, env);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'Error: No git repository was created: the initial commit failed (git exited with code 128); the partial .git was removed.\nerror: gpg failed to sign the data',
    );
    expect(result.stderr).toMatch(
      new RegExp(`Finish by hand:\\n {2}cd \\./signed\\n {2}git init --initial-branch=main\\n {2}git add --all\\n {2}git commit -m "Initial commit from create-prodready-app ${version.replaceAll('.', '\\.')}"$`),
    );
    expect(existsSync(join(cwd, 'signed', '.git'))).toBe(false);
    expect(existsSync(join(cwd, 'signed', 'package.json'))).toBe(true);
  });

  it('without a configured git identity, the commit still succeeds and says whose identity it used and how to change it', async () => {
    const cwd = workspace();
    const env = gitEnv(cwd, {});
    const result = await runCli(['anonymous', '--yes', '--skip-install'], cwd, env);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ {2}\[\d+\.\d s\] Initialised a git repository with an initial commit by /m);
    expect(result.stdout).toContain(
      ' Initialised a git repository with an initial commit by create-prodready-app <create-prodready-app@localhost>, because git has no user.name or user.email configured. To make it yours: git config --global user.name "Your Name" && git config --global user.email you@example.com && git commit --amend --reset-author --no-edit',
    );
    const log = await execa('git', ['log', '--format=%an <%ae>'], { cwd: join(cwd, 'anonymous'), env });
    expect(log.stdout).toBe('create-prodready-app <create-prodready-app@localhost>');
  });
});
