/**
 * Generator benchmarks (npm run bench). Prints figures; never fails on timing.
 * - cold runs: `create-prodready-app x --yes --skip-install --skip-git` as a
 *   new process each time (what a user waits for), median and min/max;
 * - in-process render time per combination: every valid combination of the
 *   matrix space rendered through the same generator path as the CLI.
 *
 * - add/remove: `add redis` and `remove redis` in turn inside a generated
 *   project (a new process each, two renders and a three-way merge), as a
 *   ratio to the cold run measured here.
 *
 * Options: --runs N (cold runs, default 15), --rounds N (render rounds over the
 * whole space, default 3; 0 skips it), --updates N (add/remove runs, default 6).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderProject } from '../generators/app/render.ts';
import { buildSpace } from './space.ts';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, rounds: { type: 'string', default: '3' }, updates: { type: 'string', default: '6' } } });
const runs = Number(values.runs);
const rounds = Number(values.rounds);
const updates = Number(values.updates);

function stats(samples: number[]): { median: number; min: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;

function coldRuns(): number[] {
  const bin = join(root, 'bin', 'create-prodready-app.js');
  const samples: number[] = [];
  const workspace = mkdtempSync(join(tmpdir(), 'cpa-bench-'));
  try {
    for (let run = 0; run <= runs; run++) {
      const target = join(workspace, `x${run}`);
      const started = performance.now();
      execFileSync(process.execPath, [bin, `x${run}`, '--yes', '--skip-install', '--skip-git'], { cwd: workspace, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
      const elapsed = performance.now() - started;
      if (!existsSync(join(target, 'package.json'))) throw new Error('the generator wrote no package.json');
      // The first run fills Node's compile cache and the disk cache: report it separately.
      samples.push(elapsed);
      rmSync(target, { recursive: true, force: true });
    }
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
  return samples;
}

/** `add redis` / `remove redis` in turn in one generated project (--force: no git repository to keep clean), each a new process. */
function updateRuns(): number[] {
  const bin = join(root, 'bin', 'create-prodready-app.js');
  const workspace = mkdtempSync(join(tmpdir(), 'cpa-bench-'));
  const env = { ...process.env, NO_COLOR: '1' };
  const samples: number[] = [];
  try {
    execFileSync(process.execPath, [bin, 'svc', '--yes', '--skip-install', '--skip-git'], { cwd: workspace, stdio: 'ignore', env });
    const project = join(workspace, 'svc');
    for (let run = 0; run < updates; run++) {
      const started = performance.now();
      execFileSync(process.execPath, [bin, run % 2 === 0 ? 'add' : 'remove', 'redis', '--force'], { cwd: project, stdio: 'ignore', env });
      samples.push(performance.now() - started);
      if (existsSync(join(project, 'src', 'redis.ts')) !== (run % 2 === 0)) throw new Error(`${run % 2 === 0 ? 'add' : 'remove'} redis did not change src/redis.ts`);
    }
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
  return samples;
}

async function renderTimes(): Promise<{ perCombination: number[]; combinations: number; files: number }> {
  const { valid } = buildSpace();
  await renderProject(valid[0]?.answers ?? {});
  const perCombination: number[] = [];
  let files = 0;
  for (let round = 0; round < rounds; round++) {
    for (const combination of valid) {
      const started = performance.now();
      const project = await renderProject(combination.answers);
      perCombination.push(performance.now() - started);
      files = Math.max(files, project.files.size);
    }
  }
  return { perCombination, combinations: valid.length, files };
}

const bundled = existsSync(join(root, 'dist', 'cli.js'));
process.stdout.write(`create-prodready-app benchmarks (Node ${process.versions.node}, ${bundled ? 'bundled dist/cli.js' : 'TypeScript sources; run npm run build for the published bundle'})\n\n`);

const [first, ...warm] = coldRuns();
const cold = stats(warm);
process.stdout.write(
  `Cold CLI run (new process, --yes --skip-install --skip-git), ${warm.length} runs:\n` +
    `  median ${ms(cold.median)}   min ${ms(cold.min)}   max ${ms(cold.max)}   (first run, excluded as it may fill Node's compile cache: ${ms(first as number)})\n\n`,
);

if (rounds > 0) {
  const render = await renderTimes();
  const perCombination = stats(render.perCombination);
  process.stdout.write(
    `In-process render, ${render.combinations} valid combinations x ${rounds} rounds (up to ${render.files} files each):\n` +
      `  median ${ms(perCombination.median)}   min ${ms(perCombination.min)}   max ${ms(perCombination.max)} per combination\n`,
  );
}

if (updates > 0) {
  const update = stats(updateRuns());
  process.stdout.write(
    `\nadd redis / remove redis in a generated project (new process, two renders and a three-way merge), ${updates} runs:\n` +
      `  median ${ms(update.median)}   min ${ms(update.min)}   max ${ms(update.max)}   = ${(update.median / cold.median).toFixed(2)} x the cold run's median\n`,
  );
}
