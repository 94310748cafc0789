/**
 * What the user gives the generator and what it says back, end to end: the
 * project name from the directory, answers files in any UTF-8 form, choice
 * values in any case, re-runs where defaults follow the other answers,
 * metadata-only targets, cancelling at a prompt or during npm install, other
 * package managers, and an old Node.js.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { DEFAULTS_KEY } from '../generators/core/answers.ts';
import { otherPackageManager, packageManagerNote } from '../generators/core/package-manager.ts';
import { isEffectivelyEmpty, METADATA_ENTRIES } from '../generators/core/target.ts';
import { binPath, listFiles, readTree, runCli, workspaces } from './helpers.ts';

const workspace = workspaces('cpa-inputs-');

const QUIET = ['--skip-install', '--skip-git'];

function savedAnswers(projectDir: string): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(projectDir, '.yo-rc.json'), 'utf8')) as Record<string, Record<string, unknown>>)['create-prodready-app'] ?? {};
}

const BOM = '\uFEFF';
const answersFiles = [
  { title: 'JSON, LF', file: 'answers.json', text: '{\n  "database": "none",\n  "cache": "REDIS"\n}\n' },
  { title: 'JSON, BOM and CRLF', file: 'answers.json', text: `${BOM}{\r\n  "database": "none",\r\n  "cache": "REDIS"\r\n}\r\n` },
  { title: 'YAML, LF', file: 'answers.yaml', text: 'database: none\ncache: REDIS\n' },
  { title: 'YAML, BOM and CRLF', file: 'answers.yaml', text: `${BOM}database: none\r\ncache: REDIS\r\n` },
];

describe('answers files', () => {
  it.concurrent.each(answersFiles)('$title without a name: the directory names the project', async ({ file, text }) => {
    const cwd = workspace();
    writeFileSync(join(cwd, file), text, 'utf8');
    const result = await runCli(['from-dir', '--answers-file', file, ...QUIET], cwd);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(savedAnswers(join(cwd, 'from-dir'))).toMatchObject({ name: 'from-dir', database: 'none', cache: 'redis' });
  });

  it('a name in the answers file wins over the directory', async () => {
    const cwd = workspace();
    writeFileSync(join(cwd, 'answers.yaml'), 'name: named-in-file\n');
    const result = await runCli(['target-dir', '--answers-file', 'answers.yaml', ...QUIET], cwd);
    expect(result.exitCode).toBe(0);
    expect(savedAnswers(join(cwd, 'target-dir'))).toMatchObject({ name: 'named-in-file' });
  });
});

describe('choice values', () => {
  it('are accepted in any case, from flags and answers files, and saved in canonical case', async () => {
    const cwd = workspace();
    writeFileSync(join(cwd, 'answers.yaml'), 'ci: GitLab\nlicense: apache-2.0\n');
    const result = await runCli(['any-case', '--registry', 'GHCR', '--database', 'POSTGRES', '--deploy', 'Compose', '--answers-file', 'answers.yaml', ...QUIET], cwd);
    expect(result.exitCode).toBe(0);
    expect(savedAnswers(join(cwd, 'any-case'))).toMatchObject({ registry: 'ghcr', database: 'postgres', deploy: 'compose', ci: 'gitlab', license: 'Apache-2.0' });
    const dockerhub = await runCli(['hub', '--registry', 'DockerHub', ...QUIET], cwd);
    expect(dockerhub.exitCode).toBe(0);
    expect(savedAnswers(join(cwd, 'hub'))).toMatchObject({ registry: 'dockerhub' });
  });
});

describe('re-running in a generated project', () => {
  it('defaults follow the other answers; chosen answers stay', async () => {
    const cwd = workspace();
    expect((await runCli(['defaults-svc', '--yes', ...QUIET], cwd)).exitCode).toBe(0);
    const project = join(cwd, 'defaults-svc');
    expect(savedAnswers(project)).toMatchObject({ database: 'postgres', backup: true });
    expect(savedAnswers(project)[DEFAULTS_KEY]).toEqual(expect.arrayContaining(['backup', 'cache', 'license']));
    expect(savedAnswers(project)[DEFAULTS_KEY]).not.toContain('name');

    const withoutDatabase = await runCli(['--database', 'none', '--force', '--yes', ...QUIET], project);
    expect(withoutDatabase.stderr).toBe('');
    expect(withoutDatabase.exitCode).toBe(0);
    expect(savedAnswers(project)).toMatchObject({ database: 'none', backup: false });
    expect(savedAnswers(project)[DEFAULTS_KEY]).toContain('backup');
    expect(savedAnswers(project)[DEFAULTS_KEY]).not.toContain('database');

    const backAgain = await runCli(['--database', 'postgres', '--force', '--yes', ...QUIET], project);
    expect(backAgain.exitCode).toBe(0);
    expect(savedAnswers(project)).toMatchObject({ database: 'postgres', backup: true });

    // Chosen explicitly: --no-backup stays off when the database comes back.
    expect((await runCli(['--no-backup', '--force', '--yes', ...QUIET], project)).exitCode).toBe(0);
    expect((await runCli(['--database', 'none', '--force', '--yes', ...QUIET], project)).exitCode).toBe(0);
    expect((await runCli(['--database', 'postgres', '--force', '--yes', ...QUIET], project)).exitCode).toBe(0);
    expect(savedAnswers(project)).toMatchObject({ database: 'postgres', backup: false });
    expect(savedAnswers(project)[DEFAULTS_KEY]).not.toContain('backup');
  });
});

describe('the target directory', () => {
  it.each([...METADATA_ENTRIES])('holding only %s counts as empty', (entry) => {
    const dir = workspace();
    if (entry === '.DS_Store') writeFileSync(join(dir, entry), '');
    else mkdirSync(join(dir, entry));
    expect(isEffectivelyEmpty(dir)).toBe(true);
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    expect(isEffectivelyEmpty(dir)).toBe(false);
  });

  it('a missing directory counts as empty; a file is refused', () => {
    const dir = workspace();
    expect(isEffectivelyEmpty(join(dir, 'missing'))).toBe(true);
    writeFileSync(join(dir, 'file'), '');
    expect(() => isEffectivelyEmpty(join(dir, 'file'))).toThrow(/ENOTDIR/);
  });

  it('holding only VCS and editor metadata is written into without --force, the metadata kept', async () => {
    const cwd = workspace();
    const target = join(cwd, 'meta-svc');
    for (const entry of METADATA_ENTRIES) {
      if (entry === '.DS_Store') writeFileSync(join(target, entry), 'finder\n');
      else {
        mkdirSync(join(target, entry), { recursive: true });
        writeFileSync(join(target, entry, 'kept'), `${entry}\n`);
      }
    }
    const before = readTree(target);
    const result = await runCli(['meta-svc', '--yes', ...QUIET], cwd);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(existsSync(join(target, 'package.json'))).toBe(true);
    expect(readFileSync(join(target, '.git', 'kept'), 'utf8')).toBe('.git\n');
    const after = readTree(target);
    for (const [path, content] of Object.entries(before)) expect(after[path]).toBe(content);
  });
});

describe('what the CLI says', () => {
  it.each([
    ['pnpm/10.12.1 npm/? node/v24.11.0 linux x64', 'pnpm'],
    ['yarn/1.22.22 npm/? node/v24.11.0 linux x64', 'yarn'],
    ['bun/1.2.19 npm/? node/v24.11.0 linux x64', 'bun'],
    ['npm/11.6.2 node/v24.11.0 linux x64 workspaces/false', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('user agent %j is %j', (agent, manager) => {
    expect(otherPackageManager(agent)).toBe(manager);
    expect(packageManagerNote(agent) === undefined).toBe(manager === undefined);
  });

  it('run through pnpm, it notes in one line that the project uses npm', async () => {
    const cwd = workspace();
    const viaPnpm = await runCli(['via-pnpm', '--yes', ...QUIET], cwd, { npm_config_user_agent: 'pnpm/10.12.1 npm/? node/v24.11.0 linux x64' });
    expect(viaPnpm.exitCode).toBe(0);
    expect(viaPnpm.stdout).toContain(
      '\n  Note: you ran this with pnpm, but the project uses npm (package-lock.json, npm ci in CI and in the Dockerfile): install and run its scripts with npm.\n',
    );
    const viaNpm = await runCli(['via-npm', '--yes', ...QUIET], cwd, { npm_config_user_agent: 'npm/11.6.2 node/v24.11.0 linux x64' });
    expect(viaNpm.exitCode).toBe(0);
    expect(viaNpm.stdout).not.toContain('Note:');
  });

  it('on Node.js 20 it says which Node.js it needs, before loading anything newer', async () => {
    const node20 = '/usr/bin/node';
    const version = await execa(node20, ['--version']);
    expect(version.stdout).toMatch(/^v20\./);
    const result = await execa(node20, [binPath, '--version'], { reject: false, cwd: workspace() });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`create-prodready-app needs Node.js ^22.18.0 || >=24.11.0; this is ${version.stdout.slice(1)}.`);
  });
});

describe('cancelling', () => {
  it('Ctrl-C at a prompt (in a terminal) says it was cancelled, writes nothing, exits 130', async () => {
    const cwd = workspace();
    // util-linux script(1) gives the CLI a pseudo-terminal, so it prompts; its exit code is the CLI's (-e).
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(binPath)} prompted-svc --skip-install --skip-git`;
    const child = execa('script', ['--quiet', '--return', '--command', command, '/dev/null'], { cwd, env: { NO_COLOR: '1' }, reject: false, timeout: 60_000 });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Description') && !child.stdin?.writableEnded) child.stdin?.end('\u0003');
    });
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(output).toMatch(/\r?\nCancelled: nothing was written\.\r?\n/);
    expect(output).not.toMatch(/Please report|force closed/);
    expect(listFiles(cwd)).toEqual([]);
    expect(existsSync(join(cwd, 'prompted-svc'))).toBe(false);
  });

  it('SIGINT during npm install says the files are complete and the exact commands left, exits 130', async () => {
    const cwd = workspace();
    const fakeBin = join(cwd, 'fake-bin');
    mkdirSync(fakeBin);
    // A stand-in npm that announces itself and then takes long, as a real install does.
    writeFileSync(join(fakeBin, 'npm'), `#!/bin/sh\ntouch ${JSON.stringify(join(cwd, 'npm-started'))}\nexec sleep 60\n`);
    chmodSync(join(fakeBin, 'npm'), 0o755);
    // Its own process group, so the signal reaches the CLI and npm together, as Ctrl-C in a terminal does.
    const child = execa(process.execPath, [binPath, 'installing', '--yes'], {
      cwd,
      env: { NO_COLOR: '1', PATH: `${fakeBin}:${process.env.PATH}` },
      reject: false,
      detached: true,
      timeout: 60_000,
    });
    while (!existsSync(join(cwd, 'npm-started'))) await new Promise((resolve) => setTimeout(resolve, 100));
    process.kill(-(child.pid as number), 'SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain(
      [
        'Interrupted: the project files in ./installing are written and complete. To finish by hand:',
        '  cd ./installing',
        '  npm install',
        '  git init --initial-branch=main',
        '  git add --all',
        '  git commit -m "Initial commit from create-prodready-app 0.1.0"',
      ].join('\n'),
    );
    expect(existsSync(join(cwd, 'installing', 'package.json'))).toBe(true);
    expect(existsSync(join(cwd, 'installing', '.git'))).toBe(false);
  });
});
