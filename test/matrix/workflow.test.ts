/** The repository's own CI workflow passes actionlint and zizmor, and keeps its hardening. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultToolsDir } from '../../matrix/cache.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const workflowPath = join(repoRoot, '.github', 'workflows', 'ci.yml');
const bin = join(defaultToolsDir(), 'bin');

function installed(tool: string): boolean {
  return spawnSync(join(bin, tool), ['--version'], { stdio: 'ignore' }).status === 0;
}

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
}
interface Workflow {
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[]; strategy?: { matrix: { shard: number[] } } }>;
}

describe('.github/workflows/ci.yml', () => {
  const text = readFileSync(workflowPath, 'utf8');
  const workflow = parse(text) as Workflow;

  it('is read-only at the top, pins every action by commit with its version, and checks out without credentials', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    for (const line of text.split('\n').filter((candidate) => /^\s*(- )?uses:/.test(candidate))) {
      expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
    for (const step of steps.filter((candidate) => candidate.uses?.startsWith('actions/checkout@'))) expect(step.with?.['persist-credentials']).toBe(false);
  });

  it('runs the unit tests and every matrix shard', () => {
    const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((step) => step.run ?? ''));
    expect(runs).toContain('npm test');
    const shards = workflow.jobs.matrix?.strategy?.matrix.shard ?? [];
    expect(shards).toEqual(Array.from({ length: shards.length }, (_, index) => index + 1));
    expect(shards.length).toBeLessThanOrEqual(256);
    expect(runs.some((run) => run.includes(`--shard "\${SHARD}/${shards.length}"`))).toBe(true);
  });

  // Both tools come from matrix/tools/install.sh.
  it.skipIf(!installed('actionlint'))('passes actionlint (with shellcheck on run: blocks)', () => {
    expect(() => execFileSync(join(bin, 'actionlint'), [workflowPath], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } })).not.toThrow();
  });

  it.skipIf(!installed('zizmor'))('passes zizmor with the auditor persona', () => {
    const result = spawnSync(join(bin, 'zizmor'), ['--offline', '--persona=auditor', '--no-progress', workflowPath], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toContain('No findings to report');
    expect(result.status).toBe(0);
  });
});
