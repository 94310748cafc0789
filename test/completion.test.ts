/** Shell completion: the scripts the CLI prints complete what the option model declares, in the real shells. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { completionScript } from '../generators/core/completion.ts';
import { featureToggles } from '../generators/core/feature-toggles.ts';
import { options } from '../generators/core/options.ts';
import { runCli } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'completion-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
mkdirSync(join(scratch, 'services', 'orders-api'), { recursive: true });
writeFileSync(join(scratch, 'answers.yaml'), 'name: orders-api\n');

const installed = (shell: string) => spawnSync(shell, ['-c', 'true']).status === 0;
const required = process.env.PRODREADY_REQUIRE_TOOLS === '1';

/** The candidates bash's completion function gives for the words typed so far (the last one being completed). */
function bashCandidates(...words: string[]): string[] {
  const script = join(scratch, 'completion.bash');
  writeFileSync(script, completionScript('bash'));
  const program = `source ${JSON.stringify(script)}; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _create_prodready_app; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const output = execFileSync('bash', ['-c', program, 'bash', 'create-prodready-app', ...words], { cwd: scratch, encoding: 'utf8' });
  return output.split('\n').filter((line) => line !== '');
}

describe('bash completion', () => {
  it('completes every flag of the option model, with the --no- form of yes/no options', () => {
    const all = bashCandidates('--');
    for (const option of options) {
      expect(all, option.flag).toContain(`--${option.flag}`);
      if (option.type === 'boolean') expect(all, option.flag).toContain(`--no-${option.flag}`);
    }
    expect(all).toEqual(expect.arrayContaining(['--yes', '--answers-file', '--dry-run', '--force', '--help', '--version']));
    expect(bashCandidates('--no-ba')).toEqual(['--no-backup']);
    expect(bashCandidates('--datab')).toEqual(['--database']);
  });

  it('completes the values of a choice option, also after "="', () => {
    expect(bashCandidates('--database', '')).toEqual(['postgres', 'none']);
    expect(bashCandidates('--ci', 'g')).toEqual(['github', 'gitlab']);
    expect(bashCandidates('--database', '=', 'po')).toEqual(['postgres']);
  });

  it('completes files after --answers-file, nothing after free text, and directories or the subcommand for the first word', () => {
    expect(bashCandidates('--answers-file', 'answ')).toEqual(['answers.yaml']);
    expect(bashCandidates('--description', '')).toEqual([]);
    expect(bashCandidates('serv')).toEqual(['services']);
    expect(bashCandidates('comp')).toEqual(['completion']);
    expect(bashCandidates('completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(bashCandidates('up')).toEqual(['upgrade']);
    expect(bashCandidates('upgrade', '--f')).toEqual(['--force', '--from']);
    expect(bashCandidates('remove', 'load')).toEqual(['load-test']);
    expect(bashCandidates('add', '')).toEqual(featureToggles().map((toggle) => toggle.name));
  });

  it('is printed by `create-prodready-app completion bash`, and passes shellcheck', async () => {
    const result = await runCli(['completion', 'bash'], scratch);
    expect(result.exitCode).toBe(0);
    // runCli drops the final newline, as execa does.
    expect(`${result.stdout}\n`).toBe(completionScript('bash'));
    const shellcheck = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: result.stdout, encoding: 'utf8' });
    if (shellcheck.error && !required) return;
    expect(shellcheck.stdout).toBe('');
    expect(shellcheck.status).toBe(0);
  });
});

describe.skipIf(!installed('fish') && !required)('fish completion', () => {
  it('gives the candidates fish itself computes from the script', () => {
    const script = join(scratch, 'completion.fish');
    writeFileSync(script, completionScript('fish'));
    const complete = (line: string) =>
      execFileSync('fish', ['--no-config', '-c', `source ${script}; complete -C ${JSON.stringify(line)}`], { cwd: scratch, encoding: 'utf8' })
        .split('\n')
        .filter((entry) => entry !== '')
        .map((entry) => entry.split('\t')[0]);
    expect(complete('create-prodready-app --database ')).toEqual(['none', 'postgres']);
    expect(complete('create-prodready-app --no-ba')).toEqual(['--no-backup']);
    expect(complete('create-prodready-app completion ')).toEqual(['bash', 'fish', 'zsh']);
    expect(complete('create-prodready-app --answers-file answ')).toEqual(['answers.yaml']);
  });
});

describe.skipIf(!installed('zsh') && !required)('zsh completion', () => {
  it('parses, and registers its function with compinit', () => {
    const script = join(scratch, 'completion.zsh');
    writeFileSync(script, completionScript('zsh'));
    execFileSync('zsh', ['-n', script]);
    const registered = execFileSync('zsh', ['-f', '-c', `autoload -U compinit && compinit -u -D && source ${script} && print -r -- \${_comps[create-prodready-app]}`], { encoding: 'utf8' });
    expect(registered.trim()).toBe('_create_prodready_app');
    for (const option of options.filter((entry) => entry.choices && !entry.allowCustom)) {
      expect(completionScript('zsh')).toContain(`:${option.flag}:(${option.choices?.map((choice) => choice.value).join(' ')})`);
    }
  });
});

describe('the completion subcommand', () => {
  it('refuses an unknown shell with exit 2, naming the shells, and prints nothing on stdout', async () => {
    const result = await runCli(['completion', 'tcsh'], scratch);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Unknown shell "tcsh": completion supports bash, zsh and fish.');
  });
});
