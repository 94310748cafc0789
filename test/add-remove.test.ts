/**
 * `add <feature>` and `remove <feature>` end to end through the CLI: the saved
 * answer changes, the difference is merged into the user's files, and the
 * user's own edits to shared files (package.json, README.md, compose.yaml)
 * survive every step.
 */
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { featureToggles, toggleFlag } from '../generators/core/feature-toggles.ts';
import { parseManifestLines, sha256 } from '../generators/core/write-plan.ts';
import { diskState, runCli, workspaces } from './helpers.ts';

const workspace = workspaces('cpa-add-remove-');
const GIT_IDENTITY = { GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };

const read = (project: string, path: string) => readFileSync(join(project, path), 'utf8');

function saved(project: string): Record<string, unknown> {
  return (JSON.parse(read(project, '.yo-rc.json')) as Record<string, Record<string, unknown>>)['create-prodready-app'] ?? {};
}

/** The file list .yo-rc.json records: path → sha256. */
function manifest(project: string): Record<string, string> {
  return parseManifestLines(saved(project).files as string[]) ?? {};
}

/** A copy of `project` (with its git history) in a new workspace. */
function copyOf(project: string): string {
  const copy = join(workspace(), 'svc');
  cpSync(project, copy, { recursive: true, verbatimSymlinks: true });
  return copy;
}

async function commitAll(project: string, message: string): Promise<void> {
  await execa('git', ['add', '--all'], { cwd: project });
  await execa('git', ['commit', '--quiet', '--message', message], { cwd: project, env: GIT_IDENTITY });
}

async function generated(args: readonly string[]): Promise<string> {
  const cwd = workspace();
  const run = await runCli(['svc', '--yes', '--skip-install', ...args], cwd, GIT_IDENTITY);
  expect(run.exitCode, run.stderr).toBe(0);
  return join(cwd, 'svc');
}

const DEPENDENCY = '    "undici": "7.16.0",\n';
const README_SECTION = '\n## On call\n\nPage #orders-oncall.\n';
const COMPOSE_COMMENT = '# Local stack: docker compose up\n';

/** Runs `args` in `project`, prints its time, and expects no error output. */
async function timed(project: string, args: readonly string[]) {
  const started = performance.now();
  const run = await runCli(args, project);
  console.info(`${args.join(' ')}: ${((performance.now() - started) / 1000).toFixed(1)} s — ${run.stdout.split('\n')[0]}`);
  expect(run.stderr).toBe('');
  return run;
}

/** The project's files (without .git and .yo-rc.json, whose answers a command makes explicit): path → contents. */
function projectFiles(project: string): Record<string, string> {
  return Object.fromEntries(Object.entries(diskState(project)).filter(([path]) => path !== '.yo-rc.json' && path !== '.git' && !path.startsWith('.git/')));
}

function expectUserEdits(project: string): void {
  expect(read(project, 'package.json')).toContain(DEPENDENCY);
  expect(read(project, 'README.md').endsWith(README_SECTION)).toBe(true);
  expect(read(project, 'compose.yaml').startsWith(COMPOSE_COMMENT)).toBe(true);
}

describe('create-prodready-app add / remove', () => {
  it('adds and removes redis, sentry and load tests; user edits to package.json, README and compose survive each step', async () => {
    const project = await generated([]);
    writeFileSync(join(project, 'package.json'), read(project, 'package.json').replace('    "prom-client": "15.1.3",\n', `    "prom-client": "15.1.3",\n${DEPENDENCY}`));
    writeFileSync(join(project, 'README.md'), `${read(project, 'README.md')}${README_SECTION}`);
    writeFileSync(join(project, 'compose.yaml'), `${COMPOSE_COMMENT}${read(project, 'compose.yaml')}`);
    await commitAll(project, 'Our changes');
    expect(saved(project).defaults).toContain('cache');

    const addRedis = await timed(project, ['add', 'redis']);
    expect(addRedis.exitCode).toBe(0);
    expect(addRedis.stdout).toMatch(/^Added redis \(--cache redis\) to svc: \d+ updated, 3 merged, 0 with conflicts, \d+ added, \d+ removed\.\n/);
    expect(addRedis.stdout).toContain('\nMerged:\n  README.md\n  compose.yaml\n  package.json\nAdded:\n');
    expect(addRedis.stdout).toContain('\n  src/redis.ts\n');
    expect(addRedis.stdout.endsWith('Review the changes (git diff), run the tests, then commit.')).toBe(true);
    expectUserEdits(project);
    expect(read(project, 'package.json')).toMatch(/\n {4}"ioredis": "[^"]+",\n/);
    expect(read(project, 'compose.yaml')).toMatch(/\n {2}redis:\n/);
    expect(existsSync(join(project, 'src/redis.ts'))).toBe(true);
    expect(saved(project).cache).toBe('redis');
    expect(saved(project).defaults).not.toContain('cache');
    await commitAll(project, 'Add redis');

    const again = await runCli(['add', 'redis'], project);
    expect(again).toEqual({ exitCode: 0, stdout: 'svc already has redis (--cache redis); nothing to change.', stderr: '' });

    const removeRedis = await timed(project, ['remove', 'redis']);
    expect(removeRedis.exitCode).toBe(0);
    expect(removeRedis.stdout).toMatch(/^Removed redis \(--cache none\) from svc: \d+ updated, 3 merged, 0 with conflicts, \d+ added, \d+ removed\.\n/);
    expectUserEdits(project);
    expect(read(project, 'package.json')).not.toContain('"ioredis"');
    expect(read(project, 'compose.yaml')).not.toMatch(/\n {2}redis:\n/);
    expect(existsSync(join(project, 'src/redis.ts'))).toBe(false);
    expect(saved(project).cache).toBe('none');
    await commitAll(project, 'Remove redis');

    const addSentry = await timed(project, ['add', 'sentry']);
    expect(addSentry.exitCode).toBe(0);
    expect(existsSync(join(project, 'src/sentry.ts'))).toBe(true);
    expect(read(project, 'package.json')).toMatch(/\n {4}"@sentry\/node": "[^"]+",\n/);
    expectUserEdits(project);
    expect(saved(project).sentry).toBe(true);
    await commitAll(project, 'Add sentry');

    const removeLoadTest = await timed(project, ['remove', 'load-test']);
    expect(removeLoadTest.exitCode).toBe(0);
    expect(existsSync(join(project, 'load-tests'))).toBe(false);
    expect(read(project, 'package.json')).not.toContain('load-test');
    expectUserEdits(project);
    expect(saved(project)).toMatchObject({ loadTest: false, sentry: true, cache: 'none' });
  });

  it('a decision record renumbered by add/remove is moved, and the user\'s edit to it follows it to its new number', async () => {
    const project = await generated([]);
    const records = () => (existsSync(join(project, 'docs/adr')) ? read(project, 'docs/adr/README.md') : '');
    expect(existsSync(join(project, 'docs/adr/0003-license.md'))).toBe(true);
    const addSentry = await timed(project, ['add', 'sentry']);
    expect(addSentry.exitCode).toBe(0);
    expect(addSentry.stdout).toContain('\n  docs/adr/0003-license.md → docs/adr/0004-license.md\n');
    expect(existsSync(join(project, 'docs/adr/0003-license.md'))).toBe(false);
    await commitAll(project, 'Sentry');

    const note = '\nDecision revisited: keep MIT.\n';
    writeFileSync(join(project, 'docs/adr/0004-license.md'), `${read(project, 'docs/adr/0004-license.md')}${note}`);
    await commitAll(project, 'Our note');
    const removeSentry = await timed(project, ['remove', 'sentry']);
    expect(removeSentry.exitCode).toBe(0);
    expect(removeSentry.stdout).toContain('\n  docs/adr/0004-license.md → docs/adr/0003-license.md\n');
    expect(existsSync(join(project, 'docs/adr/0004-license.md'))).toBe(false);
    expect(read(project, 'docs/adr/0003-license.md').endsWith(note)).toBe(true);
    expect(records()).toContain('0003-license.md');
    expect(Object.keys(manifest(project)).filter((path) => path.includes('-license'))).toEqual(['docs/adr/0003-license.md']);
  });

  describe('every feature of the option model, there and back: the project returns byte for byte, user edits included', () => {
    let original: string;
    let before: Record<string, string>;
    beforeAll(async () => {
      original = await generated([]);
      writeFileSync(join(original, 'package.json'), read(original, 'package.json').replace('    "prom-client": "15.1.3",\n', `    "prom-client": "15.1.3",\n${DEPENDENCY}`));
      writeFileSync(join(original, 'README.md'), `${read(original, 'README.md')}${README_SECTION}`);
      writeFileSync(join(original, 'compose.yaml'), `${COMPOSE_COMMENT}${read(original, 'compose.yaml')}`);
      await commitAll(original, 'Our changes');
      before = projectFiles(original);
    });

    it.each(featureToggles().map((toggle) => [toggle.name, toggle] as const))('%s', async (_name, toggle) => {
      const project = copyOf(original);
      const current = saved(project)[toggle.option];
      // There: switch the feature; back: the command that restores the answer (a choice that replaced another is replaced back).
      const there = current === toggle.on ? ['remove', toggle.name] : ['add', toggle.name];
      const back = current === toggle.on ? ['add', toggle.name] : current === toggle.off ? ['remove', toggle.name] : ['add', String(current)];
      const first = await timed(project, there);
      expect(first.exitCode, first.stdout).toBe(0);
      expect(projectFiles(project)).not.toEqual(before);
      await commitAll(project, there.join(' '));
      const second = await timed(project, back);
      expect(second.exitCode, second.stdout).toBe(0);
      expect(projectFiles(project)).toEqual(before);
    });
  });

  it('checks the new answers with the option model: a broken rule, an unknown feature or a dirty tree writes nothing', async () => {
    const project = await generated(['--database', 'none']);
    const before = diskState(project);
    expect(await runCli(['add', 'backup'], project)).toEqual({ exitCode: 2, stdout: '', stderr: 'Error: Incompatible options: --backup needs --database postgres. Run create-prodready-app add postgres first.' });
    expect(await runCli(['add', 'redsi'], project)).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: `Error: add: unknown feature "redsi". Features: ${featureToggles()
        .map((toggle) => toggle.name)
        .join(', ')}. Did you mean redis?`,
    });
    expect(await runCli(['remove', 'redis'], project)).toEqual({ exitCode: 0, stdout: 'svc has no redis (--cache none); nothing to change.', stderr: '' });
    expect(diskState(project)).toEqual(before);

    const dry = await runCli(['add', 'postgres', '--dry-run'], project);
    expect(dry.stderr).toBe('');
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toMatch(/^Dry run: adding postgres \(--database postgres\) to svc would give: \d+ updated, 0 merged, 0 with conflicts, \d+ added, \d+ removed\.\n/);
    expect(dry.stdout).toContain('\n  src/db/pool.ts\n');
    expect(dry.stdout.endsWith('\nNothing was written.')).toBe(true);
    expect(diskState(project)).toEqual(before);

    writeFileSync(join(project, 'README.md'), `${read(project, 'README.md')}draft\n`);
    const dirty = await runCli(['add', 'sentry'], project);
    expect(dirty).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'Error: The git work tree has uncommitted changes:\n   M README.md\nCommit or stash them first, so that what add sentry changes can be reviewed and undone, or pass --force. Nothing was written.',
    });
  });

  it('add --help lists every feature from the option model with the flag it sets; --help names the commands', async () => {
    const help = await runCli(['add', '--help'], workspace());
    expect(help.exitCode).toBe(0);
    for (const toggle of featureToggles()) expect(help.stdout).toMatch(new RegExp(`\\n {2}${toggle.name} +${toggleFlag(toggle, toggle.on)}: `));
    const remove = await runCli(['remove', '--help'], workspace());
    expect(remove.stdout).toMatch(/\n {2}load-test +--no-load-test: k6 load tests/);
    const main = await runCli(['--help'], workspace());
    expect(main.stdout).toMatch(/\n {2}upgrade \[--from <path>\] +Merge this version into the project/);
    expect(main.stdout).toMatch(/\n {2}add <feature> +Add a feature/);
    expect(main.stdout).toMatch(/\n {2}remove <feature> +Remove a feature/);
  });

  describe('leaves nothing unresolved unreported: exit 1, the summary says what to do, .yo-rc.json records what is on disk', () => {
    let pristine: string;
    const IN_THE_WAY =
      'Nothing was written where a directory, special file or symbolic link is in the way, and .yo-rc.json does not list those files as written: move it away and the next upgrade adds them, or keep it as it is.';
    const THEN = 'Then run the tests and commit.';
    beforeAll(async () => {
      pristine = await generated(['--database', 'none']);
    }, 120_000);

    it('a directory where a generated file goes: nothing written there, the file left out of .yo-rc.json', async () => {
      const project = copyOf(pristine);
      mkdirSync(join(project, 'src/redis.ts'));
      writeFileSync(join(project, 'src/redis.ts/keep'), '');
      await commitAll(project, 'A directory');
      const run = await runCli(['add', 'redis'], project);
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toMatch(/^Added redis \(--cache redis\) to svc: \d+ updated, 0 merged, 0 with conflicts, \d+ added, \d+ removed\.\n/);
      expect(run.stdout.endsWith(['Not merged (a directory or special file is in the way):', '  src/redis.ts', IN_THE_WAY, THEN].join('\n'))).toBe(true);
      expect(lstatSync(join(project, 'src/redis.ts')).isDirectory()).toBe(true);
      expect(read(project, 'src/services.ts')).toContain("from './redis.ts';");
      expect(Object.keys(manifest(project))).not.toContain('src/redis.ts');
      expect(manifest(project)['src/services.ts']).toBe(sha256(readFileSync(join(project, 'src/services.ts'))));
      expect(saved(project).cache).toBe('redis');
    });

    it('a file that is not text, changed by the user and by the change: kept, its base hash recorded', async () => {
      const project = copyOf(pristine);
      const before = manifest(project)['README.md'];
      const latin1 = Buffer.from('# Svc\n\nCaf\xe9\n', 'latin1');
      writeFileSync(join(project, 'README.md'), latin1);
      await commitAll(project, 'README in Latin-1');
      const run = await runCli(['add', 'redis'], project);
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(1);
      expect(
        run.stdout.endsWith(
          [
            'Not merged, yours kept (not text, changed on both sides):',
            '  README.md',
            "Files not merged keep your version: bring the new version's change in by hand (a project generated with these answers has that version).",
            THEN,
          ].join('\n'),
        ),
      ).toBe(true);
      expect(readFileSync(join(project, 'README.md'))).toEqual(latin1);
      expect(manifest(project)['README.md']).toBe(before);
    });

    it('a file deleted by the user that the change changes: left deleted, listed, its base hash recorded', async () => {
      const project = copyOf(pristine);
      const before = manifest(project)['README.md'];
      rmSync(join(project, 'README.md'));
      await commitAll(project, 'No README');
      const run = await runCli(['add', 'redis'], project);
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(1);
      expect(
        run.stdout.endsWith(
          [
            'Deleted by you and changed in the new version (left deleted):',
            '  README.md',
            'Files you deleted stay deleted although the new version changed them: if you want one back, take it from a project generated with these answers.',
            THEN,
          ].join('\n'),
        ),
      ).toBe(true);
      expect(existsSync(join(project, 'README.md'))).toBe(false);
      expect(manifest(project)['README.md']).toBe(before);
    });

    it('a symbolic link at a generated path: never followed nor replaced, listed as not merged', async () => {
      const project = copyOf(pristine);
      rmSync(join(project, 'docs/service.md'));
      symlinkSync('../README.md', join(project, 'docs/service.md'));
      await commitAll(project, 'Service doc is the README');
      const run = await runCli(['add', 'redis'], project);
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(1);
      expect(run.stdout.endsWith(['Not merged (a symbolic link is there: kept, not followed):', '  docs/service.md', IN_THE_WAY, THEN].join('\n'))).toBe(true);
      expect(readlinkSync(join(project, 'docs/service.md'))).toBe('../README.md');
      // The README the link points to is updated as the README, nothing of docs/service.md in it.
      expect(read(project, 'README.md')).not.toContain('<<<<<<<');
      expect(read(project, 'README.md')).toContain('Redis');
      expect(Object.keys(manifest(project))).not.toContain('docs/service.md');
    });

    it('CRLF files: updated and merged as LF, written back with CRLF, no conflict over line endings', async () => {
      const project = copyOf(pristine);
      const crlf = (path: string) => writeFileSync(join(project, path), read(project, path).replaceAll('\n', '\r\n'));
      crlf('src/app.ts');
      crlf('README.md');
      writeFileSync(join(project, 'README.md'), `${read(project, 'README.md')}## On call\r\n`);
      await commitAll(project, 'CRLF');
      const run = await runCli(['add', 'redis'], project);
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toMatch(/^Added redis \(--cache redis\) to svc: \d+ updated, 1 merged, 0 with conflicts, \d+ added, \d+ removed\.\n/);
      expect(run.stdout).toContain('\nMerged:\n  README.md\n');
      expect(run.stdout).toContain('\n  src/app.ts\n');
      for (const path of ['README.md', 'src/app.ts']) {
        const text = read(project, path);
        expect(text, path).not.toContain('<<<<<<<');
        expect(text.match(/\r\n/g)?.length, path).toBe(text.match(/\n/g)?.length);
      }
      expect(read(project, 'README.md')).toContain('Redis');
      expect(read(project, 'README.md').endsWith('## On call\r\n')).toBe(true);
    });

    it('--dry-run on a dirty work tree runs, writes nothing and notes that a real run needs a clean tree or --force', async () => {
      const project = copyOf(pristine);
      writeFileSync(join(project, 'README.md'), `${read(project, 'README.md')}draft\n`);
      // git status refreshes its own index: the work tree is what must stay as it was.
      const workTree = () => Object.fromEntries(Object.entries(diskState(project)).filter(([path]) => path !== '.git' && !path.startsWith('.git/')));
      const before = workTree();
      const dry = await runCli(['add', 'redis', '--dry-run'], project);
      expect(dry.stderr).toBe('');
      expect(dry.exitCode).toBe(0);
      expect(dry.stdout).toMatch(/^Dry run: adding redis \(--cache redis\) to svc would give: \d+ updated, 1 merged, 0 with conflicts, \d+ added, \d+ removed\.\n/);
      expect(
        dry.stdout.endsWith('\nNote: the git work tree has uncommitted changes; a real run needs them committed or stashed first, or --force.\nNothing was written.'),
      ).toBe(true);
      expect(workTree()).toEqual(before);
    });

    it('run from a subdirectory, works on the project above and says so; a newer project gets only the advice to use its version', async () => {
      const project = copyOf(pristine);
      const dry = await runCli(['add', 'redis', '--dry-run'], join(project, 'src/items'));
      expect(dry.stderr).toBe('');
      expect(dry.exitCode).toBe(0);
      expect(dry.stdout).toMatch(/^Dry run: adding redis \(--cache redis\) to svc \(the project in \.\.\/\.\., above the current directory\) would give: \d+ updated, 0 merged, /);
      const upgrade = await runCli(['upgrade'], join(project, 'docs'));
      expect(upgrade).toEqual({ exitCode: 0, stdout: 'svc (the project in .., above the current directory) is already at create-prodready-app 0.1.0; nothing to upgrade.', stderr: '' });

      writeFileSync(join(project, '.yo-rc.json'), read(project, '.yo-rc.json').replace('"version": "0.1.0"', '"version": "9.9.9"'));
      expect(await runCli(['add', 'redis'], project)).toEqual({
        exitCode: 2,
        stdout: '',
        stderr: 'Error: svc was generated by create-prodready-app 9.9.9, newer than this 0.1.0: run npx create-prodready-app@9.9.9 add redis.',
      });
      writeFileSync(join(project, '.yo-rc.json'), read(project, '.yo-rc.json').replace('"version": "9.9.9"', '"version": "0.0.9"'));
      expect(await runCli(['remove', 'load-test'], project)).toEqual({
        exitCode: 2,
        stdout: '',
        stderr: 'Error: svc was generated by create-prodready-app 0.0.9 and this is 0.1.0: run create-prodready-app upgrade first (or npx create-prodready-app@0.0.9 remove load-test).',
      });
    });

    it('names the choice a feature replaces; a removal that breaks a rule names the feature to remove first', async () => {
      const project = copyOf(pristine);
      const gitlab = await runCli(['add', 'gitlab', '--dry-run'], project);
      expect(gitlab.stderr).toBe('');
      expect(gitlab.stdout).toMatch(/^Dry run: adding gitlab \(--ci gitlab, replacing github\) to svc would give: \d+ updated, 0 merged, 0 with conflicts, \d+ added, 12 removed\.\n/);
      const withBackup = await generated(['--backup']);
      const before = diskState(withBackup);
      expect(await runCli(['remove', 'postgres'], withBackup)).toEqual({
        exitCode: 2,
        stdout: '',
        stderr: 'Error: Incompatible options: --backup needs --database postgres. Run create-prodready-app remove backup first.',
      });
      expect(diskState(withBackup)).toEqual(before);
    });
  });
});
