/**
 * The update notice: shown after a successful interactive run when an earlier
 * look-up found a newer version; never without a terminal, with CI, with
 * NO_UPDATE_NOTIFIER or --no-update-notifier; a failing look-up never fails a run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { generatorVersion } from '../generators/core/paths.ts';
import { binPath, removeDir, runCli, scratchDir } from './helpers.ts';

const scratch = scratchDir('update-notice-test-');
afterAll(() => removeDir(scratch));

const ANSWERS = [
  'name: svc',
  'description: Takes orders.',
  'owner: acme',
  'license: MIT',
  'database: none',
  'cache: none',
  'ci: github',
  'deploy: compose',
  'observability: false',
  'tracing: false',
  'sentry: false',
  'loadTest: false',
  'registry: ghcr',
].join('\n');

let runs = 0;
/** A workspace with an answers file that answers everything, and an update-notifier store saying `update` was found `checkedAgo` ms ago. */
function workspace(update: { latest: string } | undefined, checkedAgo = 0): { cwd: string; config: string } {
  const cwd = join(scratch, String(runs++));
  const config = join(cwd, 'config');
  mkdirSync(join(config, 'configstore'), { recursive: true });
  writeFileSync(join(cwd, 'answers.yaml'), `${ANSWERS}\n`);
  const store = { optOut: false, lastUpdateCheck: Date.now() - checkedAgo, ...(update ? { update: { ...update, current: generatorVersion, type: 'major', name: 'create-prodready-app' } } : {}) };
  writeFileSync(join(config, 'configstore', 'update-notifier-create-prodready-app.json'), JSON.stringify(store));
  return { cwd, config };
}

/** A clean environment: no CI or npm variables from the test runner, the store in `config`. */
function environment(config: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: config, XDG_CONFIG_HOME: config, NO_COLOR: '1', TERM: 'xterm', ...extra };
}

/** The CLI in a pseudo-terminal (util-linux script), as a person runs it; output is the terminal's. */
async function inTerminal(cwd: string, env: Record<string, string>, ...flags: string[]): Promise<{ exitCode: number; output: string }> {
  const command = [process.execPath, binPath, 'svc', '--answers-file', 'answers.yaml', '--skip-install', '--skip-git', ...flags].map((word) => JSON.stringify(word)).join(' ');
  const result = await execa('script', ['--quiet', '--return', '--command', command, '/dev/null'], { cwd, env, extendEnv: false, reject: false, timeout: 120_000, stdin: 'ignore' });
  return { exitCode: result.exitCode ?? -1, output: String(result.stdout) };
}

const NOTICE = `create-prodready-app 99.0.0 is available (this is ${generatorVersion}).`;

describe('update notice', () => {
  it('after an interactive run, names the newer version and how to run it', async () => {
    const { cwd, config } = workspace({ latest: '99.0.0' });
    const result = await inTerminal(cwd, environment(config));
    expect(result.exitCode).toBe(0);
    expect(result.output).toContain(NOTICE);
    expect(result.output).toContain('Run it with: npx create-prodready-app@latest');
  });

  it.each([
    ['--no-update-notifier', {}, ['--no-update-notifier']],
    ['NO_UPDATE_NOTIFIER=1', { NO_UPDATE_NOTIFIER: '1' }, []],
    ['CI=true', { CI: 'true' }, []],
  ] as const)('is not shown with %s', async (_case, extra, flags) => {
    const { cwd, config } = workspace({ latest: '99.0.0' });
    const result = await inTerminal(cwd, environment(config, extra), ...flags);
    expect(result.exitCode).toBe(0);
    expect(result.output).not.toContain('is available');
  });

  it('is not shown without a terminal', async () => {
    const { cwd, config } = workspace({ latest: '99.0.0' });
    const result = await runCli(['svc', '--answers-file', 'answers.yaml', '--skip-install', '--skip-git'], cwd, { XDG_CONFIG_HOME: config, CI: '', NO_UPDATE_NOTIFIER: '' });
    expect(result.exitCode).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain('is available');
  });

  it('is not shown when the newest version is the one running, and a due look-up that cannot reach the registry fails nothing', async () => {
    const { cwd, config } = workspace(undefined, 2 * 24 * 60 * 60 * 1000);
    // An unreachable registry: the look-up (a detached child process) fails on its own.
    const result = await inTerminal(cwd, environment(config, { npm_config_registry: 'http://127.0.0.1:9/' }));
    expect(result.exitCode).toBe(0);
    expect(result.output).not.toContain('is available');
    expect(JSON.parse(readFileSync(join(cwd, 'svc', '.yo-rc.json'), 'utf8'))['create-prodready-app'].name).toBe('svc');
  });
});
