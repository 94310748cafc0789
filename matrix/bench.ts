/**
 * Generator benchmarks (npm run bench). Prints figures; never fails on timing.
 * - cold runs: each generator as a new process with non-interactive flags and
 *   a fresh target each time (what a user waits for): ours for the default
 *   project and for the full one (every feature on), and, in the same session
 *   and interleaved run by run so load on the machine hits all alike,
 *   create-vite and create-t3-app at pinned versions. Prints medians, min/max,
 *   files written, milliseconds per file and the ratios of ours to theirs:
 *   absolute times are noisy on a shared machine, ratios in one session are not.
 *   On Linux it also prints the CPU time (user + system) each run took, which
 *   load from other work inflates far less than wall-clock time.
 * - in-process render time per combination: every valid combination of the
 *   matrix space rendered through the same generator path as the CLI.
 *
 * The comparison generators are installed from the npm registry on first use
 * into $PRODREADY_CACHE/bench (default ~/.cache/prodready/bench), outside the
 * repository.
 *
 * - add/remove: `add redis` and `remove redis` in turn inside a generated
 *   project (a new process each, two renders and a three-way merge), as a
 *   ratio to the default project's cold run measured here.
 *
 * Options: --runs N (cold runs per generator, default 15),
 * --rounds N (render rounds over the whole space, default 3; 0 skips them), --no-compare
 * (only ours: no install, no comparison), --updates N (add/remove runs, default 6; 0 skips them).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderProject } from '../generators/app/render.ts';
import { buildSpace } from './space.ts';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, rounds: { type: 'string', default: '3' }, 'no-compare': { type: 'boolean', default: false }, updates: { type: 'string', default: '6' } },
});
const runs = Number(values.runs);
const rounds = Number(values.rounds);
const updates = Number(values.updates);

/** A generator run as a new process: `args(target)` creates the project in `target` (a name in the working directory). */
interface Generator {
  label: string;
  script: string;
  args: (target: string) => string[];
}

/** The generators compared with, pinned: bump the versions here, and the flags with them. */
const COMPARED = [
  {
    name: 'create-vite',
    version: '9.3.0',
    script: 'index.js',
    label: 'create-vite (vanilla-ts)',
    args: (target: string) => [target, '--template', 'vanilla-ts', '--no-interactive', '--no-immediate'],
  },
  {
    name: 'create-t3-app',
    version: '7.40.0',
    script: 'dist/index.js',
    label: 'create-t3-app (tRPC, Tailwind, NextAuth, Drizzle)',
    args: (target: string) => [target, '--CI', '--noGit', '--noInstall', '--tailwind', 'true', '--trpc', 'true', '--nextAuth', 'true', '--drizzle', 'true', '--dbProvider', 'postgres'],
  },
] as const;

const OURS = join(root, 'bin', 'create-prodready-app.js');
const DEFAULT: Generator = { label: 'create-prodready-app (default)', script: OURS, args: (target) => [target, '--yes', '--skip-install', '--skip-git'] };
/** Every feature on: Redis, Sentry, tracing, both deploy targets, on top of the defaults (PostgreSQL, GitHub Actions, observability, backups, load tests). */
const FULL: Generator = {
  label: 'create-prodready-app (every feature)',
  script: OURS,
  args: (target) => [target, '--yes', '--skip-install', '--skip-git', '--cache', 'redis', '--sentry', '--tracing', '--deploy', 'both'],
};
/** The targets of the issue that asked for this benchmark (issue 13): the full project cold in at most 0.3 s, at most 2 ms per file. */
const TARGET = { coldMs: 300, msPerFile: 2 };

/** Installs the compared generators (pinned) into the bench cache unless they are there; returns them runnable. */
function comparedGenerators(): Generator[] {
  const directory = join(process.env.PRODREADY_CACHE ?? join(homedir(), '.cache', 'prodready'), 'bench');
  const installed = (name: string) => {
    const manifest = join(directory, 'node_modules', name, 'package.json');
    return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : undefined;
  };
  const missing = COMPARED.filter((generator) => installed(generator.name) !== generator.version);
  if (missing.length > 0) {
    mkdirSync(directory, { recursive: true });
    if (!existsSync(join(directory, 'package.json'))) writeFileSync(join(directory, 'package.json'), '{ "private": true }\n');
    process.stdout.write(`Installing ${missing.map((generator) => `${generator.name}@${generator.version}`).join(', ')} into ${directory}\n`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--save-exact', ...missing.map((generator) => `${generator.name}@${generator.version}`)], { cwd: directory, stdio: 'inherit' });
  }
  return COMPARED.map((generator) => ({
    label: `${generator.label} ${generator.version}`,
    script: join(directory, 'node_modules', generator.name, generator.script),
    args: generator.args,
  }));
}

/**
 * CPU time (user + system, milliseconds) of this process's waited-for children
 * so far: fields cutime and cstime of /proc/self/stat (proc(5)), in clock ticks
 * of 10 ms (USER_HZ is 100 on Linux). Undefined where /proc is missing.
 */
function childrenCpuMs(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name in parentheses (which may hold spaces): state is field 3, cutime 16, cstime 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function countFiles(directory: string): number {
  let count = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) count += entry.isDirectory() ? countFiles(join(directory, entry.name)) : 1;
  return count;
}

function stats(samples: number[]): { median: number; min: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;

interface ColdResult {
  generator: Generator;
  /** Wall-clock milliseconds of each run after the first (the first may fill Node's compile cache and the disk cache). */
  samples: number[];
  /** CPU milliseconds (user + system) of the same runs, when the platform tells. */
  cpu: number[];
  first: number;
  files: number;
}

/**
 * `runs` + 1 cold runs of each generator, interleaved (one run of each in
 * turn), each in a fresh target removed afterwards. Throws when a run exits
 * non-zero or writes nothing.
 */
function coldRuns(generators: readonly Generator[]): ColdResult[] {
  const results: ColdResult[] = generators.map((generator) => ({ generator, samples: [], cpu: [], first: 0, files: 0 }));
  const workspace = mkdtempSync(join(tmpdir(), 'cpa-bench-'));
  try {
    for (let run = 0; run <= runs; run++) {
      for (const [index, result] of results.entries()) {
        const name = `g${index}-r${run}`;
        const target = join(workspace, name);
        const cpuBefore = childrenCpuMs();
        const started = performance.now();
        execFileSync(process.execPath, [result.generator.script, ...result.generator.args(name)], { cwd: workspace, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
        const elapsed = performance.now() - started;
        const cpuAfter = childrenCpuMs();
        if (!existsSync(target)) throw new Error(`${result.generator.label} wrote no ${name}`);
        result.files = countFiles(target);
        if (result.files === 0) throw new Error(`${result.generator.label} wrote no file`);
        if (run === 0) result.first = elapsed;
        else {
          result.samples.push(elapsed);
          if (cpuBefore !== undefined && cpuAfter !== undefined) result.cpu.push(cpuAfter - cpuBefore);
        }
        rmSync(target, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
  return results;
}

/** `add redis` / `remove redis` in turn in one generated project (--force: no git repository to keep clean), each a new process. */
function updateRuns(): number[] {
  const workspace = mkdtempSync(join(tmpdir(), 'cpa-bench-'));
  const env = { ...process.env, NO_COLOR: '1' };
  const samples: number[] = [];
  try {
    execFileSync(process.execPath, [OURS, 'svc', '--yes', '--skip-install', '--skip-git'], { cwd: workspace, stdio: 'ignore', env });
    const project = join(workspace, 'svc');
    for (let run = 0; run < updates; run++) {
      const started = performance.now();
      execFileSync(process.execPath, [OURS, run % 2 === 0 ? 'add' : 'remove', 'redis', '--force'], { cwd: project, stdio: 'ignore', env });
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

const compared = values['no-compare'] ? [] : comparedGenerators();
const results = coldRuns([FULL, DEFAULT, ...compared]);
const full = results[0] as ColdResult;
const fullMedian = stats(full.samples).median;
const width = Math.max(...results.map((result) => result.generator.label.length));
process.stdout.write(`Cold runs (new process, fresh target, no install, no git), ${runs} runs each, interleaved; the first run of each is excluded:\n`);
for (const result of results) {
  const { median, min, max } = stats(result.samples);
  const ratio = result === full ? '' : `   every-feature run takes ${(fullMedian / median).toFixed(2)}x this`;
  process.stdout.write(
    `  ${result.generator.label.padEnd(width)}  median ${ms(median).padStart(7)}  min ${ms(min).padStart(7)}  max ${ms(max).padStart(7)}  ${String(result.files).padStart(3)} files  ${ms(median / result.files).padStart(8)} per file${ratio}\n`,
  );
}
if (full.cpu.length > 0) {
  const fullCpu = stats(full.cpu).median;
  process.stdout.write(`CPU time (user + system) of the same runs, median:\n`);
  for (const result of results) {
    const median = stats(result.cpu).median;
    const ratio = result === full ? '' : `   every-feature run takes ${(fullCpu / median).toFixed(2)}x this`;
    process.stdout.write(`  ${result.generator.label.padEnd(width)}  ${ms(median).padStart(7)}  ${ms(median / result.files).padStart(8)} per file${ratio}\n`);
  }
}
const perFile = fullMedian / full.files;
const met = fullMedian <= TARGET.coldMs && perFile <= TARGET.msPerFile;
process.stdout.write(
  `  Target for the every-feature run: at most ${TARGET.coldMs} ms and ${TARGET.msPerFile} ms per file; this session: ${ms(fullMedian)}, ${ms(perFile)} per file (${met ? 'met' : 'not met'}).\n\n`,
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
  const defaultMedian = stats((results[1] as ColdResult).samples).median;
  process.stdout.write(
    `\nadd redis / remove redis in a generated project (new process, two renders and a three-way merge), ${updates} runs:\n` +
      `  median ${ms(update.median)}   min ${ms(update.min)}   max ${ms(update.max)}   = ${(update.median / defaultMedian).toFixed(2)} x the default project's cold run\n`,
  );
}
