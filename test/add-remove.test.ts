/**
 * `add <feature>` and `remove <feature>` end to end through the CLI: the saved
 * answer changes, the difference is merged into the user's files, and the
 * user's own edits to shared files (package.json, README.md, compose.yaml)
 * survive every step.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { featureToggles, toggleFlag } from '../generators/core/feature-toggles.ts';
import { diskState, runCli, workspaces } from './helpers.ts';

const workspace = workspaces('cpa-add-remove-');
const GIT_IDENTITY = { GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };

const read = (project: string, path: string) => readFileSync(join(project, path), 'utf8');

function saved(project: string): Record<string, unknown> {
  return (JSON.parse(read(project, '.yo-rc.json')) as Record<string, Record<string, unknown>>)['create-prodready-app'] ?? {};
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

  it('checks the new answers with the option model: a broken rule, an unknown feature or a dirty tree writes nothing', async () => {
    const project = await generated(['--database', 'none']);
    const before = diskState(project);
    expect(await runCli(['add', 'backup'], project)).toEqual({ exitCode: 2, stdout: '', stderr: 'Error: Incompatible options: --backup needs --database postgres.' });
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
});
