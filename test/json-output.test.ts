/**
 * --json: every run prints exactly one JSON document on stdout, valid against
 * docs/json-output.schema.json (checked with Ajv), with the stable error code
 * and the exit code the run has without --json; and the files on disk are
 * what the document says.
 */
import { chmodSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { options } from '../generators/core/options.ts';
import { binPath, diskState, listFiles, repoRoot, runCli, workspaces, type CliRun } from './helpers.ts';

const workspace = workspaces('cpa-json-');
const QUIET = ['--skip-install', '--skip-git'];
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const schema = JSON.parse(readFileSync(join(repoRoot, 'docs/json-output.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

interface JsonDocument {
  schemaVersion: number;
  version: string;
  exitCode: number;
  error: { code: string; message: string } | null;
  dryRun: boolean;
  target: string | null;
  answers: { values: Record<string, unknown>; explicit: string[] } | null;
  files: Record<'created' | 'changed' | 'unchanged' | 'removed' | 'conflicting', string[]> | null;
  steps: Array<{ name: string; outcome: string; durationMs: number; summary: string }>;
  nextSteps: string[];
}

/** The run's stdout as its one JSON document: it must parse whole, match the schema, and carry the process's exit code. */
function documentOf(run: CliRun): JsonDocument {
  const document = JSON.parse(run.stdout) as JsonDocument;
  expect(validate(document) ? [] : validate.errors).toEqual([]);
  // Nothing before or after the document (execa drops the final newline).
  expect(run.stdout).toBe(JSON.stringify(document, null, 2));
  expect(document.exitCode).toBe(run.exitCode);
  expect(document.version).toBe(version);
  return document;
}

/** A directory with an `npm` that runs `script` (sh) instead of installing anything. */
function fakeNpm(cwd: string, script: string): string {
  const bin = join(cwd, 'fake-bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'npm'), `#!/bin/sh\n${script}\n`);
  chmodSync(join(bin, 'npm'), 0o755);
  return bin;
}

describe('--json', () => {
  it('a successful run: the answers (and which were explicit), the absolute target, every file written, the steps and the next steps', async () => {
    const cwd = workspace();
    const run = await runCli(['orders', '--json', '--database', 'none', ...QUIET], cwd);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    const document = documentOf(run);
    const project = join(realpathSync(cwd), 'orders');
    expect(document).toMatchObject({ schemaVersion: 1, error: null, dryRun: false, target: project });
    expect(Object.keys(document.answers?.values ?? {})).toEqual(options.map((option) => option.name));
    expect(document.answers?.values).toMatchObject({ name: 'orders', database: 'none', backup: false, ci: 'github' });
    expect(document.answers?.explicit).toEqual(['name', 'database']);
    expect(document.files?.created).toEqual(listFiles(project));
    expect(document.files).toMatchObject({ changed: [], unchanged: [], removed: [], conflicting: [] });
    expect(document.steps).toEqual([
      { name: 'install', outcome: 'skipped', durationMs: 0, summary: 'Skipped npm install (--skip-install).' },
      { name: 'git', outcome: 'skipped', durationMs: 0, summary: 'Skipped git init (--skip-git).' },
    ]);
    expect(document.nextSteps).toEqual(['cd ./orders', 'npm install', 'npm run dev', 'npm test']);
  });

  it('on a terminal --json still never prompts: every option not given takes its default', async () => {
    const cwd = workspace();
    // script(1) gives the CLI a pseudo-terminal on stdin, stdout and stderr; a prompt would wait until the timeout.
    const result = await execa('script', ['-qec', `${process.execPath} ${binPath} on-tty --json --skip-install --skip-git`, '/dev/null'], {
      cwd,
      env: { NO_COLOR: '1' },
      reject: false,
      timeout: 60_000,
    });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(0);
    const document = documentOf({ exitCode: 0, stdout: String(result.stdout).replaceAll('\r\n', '\n'), stderr: '' });
    expect(document.answers?.explicit).toEqual(['name']);
    expect(document.files?.created).toEqual(listFiles(join(cwd, 'on-tty')));
  });

  it('a re-run reports unchanged files, and saved answers count as explicit', async () => {
    const cwd = workspace();
    expect((await runCli(['again', '--yes', '--cache', 'redis', ...QUIET], cwd)).exitCode).toBe(0);
    const project = join(cwd, 'again');
    const run = await runCli(['--json', ...QUIET], project);
    const document = documentOf(run);
    expect(run.exitCode).toBe(0);
    expect(document.files).toEqual({ created: [], changed: [], unchanged: listFiles(project), removed: [], conflicting: [] });
    expect(document.answers?.explicit).toEqual(['name', 'cache']);
    expect(document.nextSteps[0]).toBe('cd .');
  });

  it('--dry-run --json: the plan, nothing on disk, no steps', async () => {
    const cwd = workspace();
    const run = await runCli(['planned', '--json', '--dry-run'], cwd);
    expect(run.exitCode).toBe(0);
    const document = documentOf(run);
    expect(document).toMatchObject({ dryRun: true, error: null, target: join(realpathSync(cwd), 'planned'), steps: [], nextSteps: [] });
    expect(document.files?.created).toEqual(expect.arrayContaining(['.yo-rc.json', 'README.md', 'package.json']));
    expect(listFiles(cwd)).toEqual([]);
  });

  it.each([
    { args: ['svc', '--databse', 'none'], message: 'Unknown option --databse. Did you mean --database? Run with --help to see every option.' },
    { args: ['Bad_Name'], message: expect.stringContaining('The directory name "Bad_Name" is not a valid project name') },
    { args: ['svc', '--help'], message: '--json describes a generator run; --help prints text for people. Leave out --json.' },
    { args: ['--version'], message: '--json describes a generator run; --version prints the bare version (every --json document has it under "version"). Leave out --json.' },
    { args: ['completion', 'bash'], message: '--json describes a generator run; completion prints a shell script. Leave out --json.' },
  ])('refused input $args: exit 2, code usage, nothing written', async ({ args, message }) => {
    const cwd = workspace();
    const run = await runCli([...args, '--json'], cwd);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('');
    expect(documentOf(run).error).toEqual({ code: 'usage', message });
    expect(listFiles(cwd)).toEqual([]);
  });

  it.each([
    { args: ['svc', '--json=true', '--dry-run'], message: '--json takes no value.' },
    { args: ['--json', 'upgrade'], message: '"upgrade" is a command, so it comes first: create-prodready-app upgrade [options]. For a project in a directory named upgrade, write ./upgrade.' },
  ])('$args: exit 2, code usage in a JSON document, nothing written', async ({ args, message }) => {
    const cwd = workspace();
    const run = await runCli(args, cwd);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('');
    expect(documentOf(run).error).toEqual({ code: 'usage', message });
    expect(listFiles(cwd)).toEqual([]);
  });

  it('a non-empty target without --force: exit 2, code target-not-empty, the directory untouched', async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'taken'));
    writeFileSync(join(cwd, 'taken', 'notes.txt'), 'mine\n');
    const before = diskState(cwd);
    const run = await runCli(['taken', '--json', ...QUIET], cwd);
    expect(run.exitCode).toBe(2);
    const document = documentOf(run);
    expect(document.error?.code).toBe('target-not-empty');
    expect(document.error?.message).toMatch(/^Directory \.\/taken is not empty \(notes\.txt\)\./);
    expect(document).toMatchObject({ target: join(realpathSync(cwd), 'taken'), files: null, steps: [] });
    expect(diskState(cwd)).toEqual(before);
  });

  it('an edited file on a re-run without --force: exit 2, code conflicting-files, the conflicts listed, nothing written', async () => {
    const cwd = workspace();
    expect((await runCli(['mine', '--yes', ...QUIET], cwd)).exitCode).toBe(0);
    const project = join(cwd, 'mine');
    writeFileSync(join(project, 'README.md'), '# my notes\n');
    const before = diskState(project);
    const run = await runCli(['--json', '--license', 'Apache-2.0', ...QUIET], project);
    expect(run.exitCode).toBe(2);
    const document = documentOf(run);
    expect(document.error?.code).toBe('conflicting-files');
    expect(document.files?.conflicting).toEqual(['README.md']);
    expect(document.files?.changed).toEqual(expect.arrayContaining(['.yo-rc.json', 'LICENSE', 'package.json']));
    expect(diskState(project)).toEqual(before);
  });

  it.each([
    { what: 'a file in the way of the target', target: 'file/svc', setup: (cwd: string) => writeFileSync(join(cwd, 'file'), 'x\n'), message: /^Cannot use the directory file\/svc: a file is in the way where a directory goes \(ENOTDIR\)\./ },
    { what: 'a directory name longer than the file system allows', target: `deep/${'d'.repeat(300)}`, setup: () => undefined, message: /: the path is too long for the file system \(ENAMETOOLONG\)\. Choose a shorter directory path\./ },
  ])('a file system error ($what): exit 1, code file-system, nothing written', async ({ target, setup, message }) => {
    const cwd = workspace();
    setup(cwd);
    const before = diskState(cwd);
    const run = await runCli([target, '--name', 'svc', '--json', ...QUIET], cwd);
    expect(run.exitCode).toBe(1);
    const document = documentOf(run);
    expect(document.error?.code).toBe('file-system');
    expect(document.error?.message).toMatch(message);
    expect(diskState(cwd)).toEqual(before);
  });

  it('a failed npm install: exit 1, code post-write-failed, the step failed with its duration, the files complete, progress lines on stderr', async () => {
    const cwd = workspace();
    const bin = fakeNpm(cwd, 'echo "npm ERR! network request failed: ETIMEDOUT" >&2\nexit 7');
    const reference = workspace();
    expect((await runCli(['offline', '--yes', ...QUIET], reference)).exitCode).toBe(0);
    const run = await runCli(['offline', '--json', '--skip-git'], cwd, { PATH: `${bin}:${process.env.PATH}` });
    expect(run.exitCode).toBe(1);
    const document = documentOf(run);
    expect(document.error?.code).toBe('post-write-failed');
    expect(document.error?.message).toMatch(/^Dependencies were not installed: npm install exited with code 7\.\nnpm ERR! network request failed: ETIMEDOUT\n/);
    expect(document.steps[0]).toMatchObject({ name: 'install', outcome: 'failed', summary: 'Dependencies were not installed: npm install exited with code 7.' });
    expect(document.steps[1]).toMatchObject({ name: 'git', outcome: 'skipped' });
    expect(document.nextSteps).toEqual(['cd ./offline', 'npm install', 'npm run dev', 'npm test']);
    expect(listFiles(join(cwd, 'offline'))).toEqual(listFiles(join(reference, 'offline')));
    expect(run.stderr).toMatch(/^\[\d\d:\d\d:\d\d\] Installing dependencies with npm…\n\[\d\d:\d\d:\d\d\] Installing dependencies with npm… failed after \d+\.\d s$/);
  });

  it('an interrupt during npm install: exit 130, code interrupted, the files written and the commands left', async () => {
    const cwd = workspace();
    const bin = fakeNpm(cwd, 'sleep 20');
    const child = execa(process.execPath, [binPath, 'cut', '--json', '--skip-git'], {
      cwd,
      reject: false,
      stdin: 'ignore',
      env: { NO_COLOR: '1', PATH: `${bin}:${process.env.PATH}` },
      timeout: 60_000,
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Installing dependencies with npm…')) child.kill('SIGINT');
    });
    const result = await child;
    const run = { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
    expect(run.exitCode).toBe(130);
    const document = documentOf(run);
    expect(document.error).toEqual({
      code: 'interrupted',
      message: 'Interrupted: the project files in ./cut are written and complete. To finish by hand:\n  cd ./cut\n  npm install',
    });
    expect(document.files?.created).toEqual(listFiles(join(cwd, 'cut')));
  });
});
