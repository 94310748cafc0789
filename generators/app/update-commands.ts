/**
 * The subcommands that keep a generated project up to date, run inside it:
 * - `upgrade [--dry-run] [--force] [--from <tarball-or-dir>]`: merges what
 *   changed between the recorded generator version and the running one;
 * - `add <feature>` / `remove <feature>`: changes one saved answer and merges
 *   what changed between the project rendered with the old and the new answers.
 * Both merge three ways into the user's files (three-way.ts) and write
 * .yo-rc.json only when every file is written.
 */
import semver from 'semver';
import { coerceAll, completeAnswers, DEFAULTS_KEY, explicitSavedAnswers, UsageError } from '../core/answers.ts';
import { featureToggles, toggleFlag, type FeatureToggle } from '../core/feature-toggles.ts';
import { fileMoves, migrateAnswers, MIGRATIONS, stepsBetween } from '../core/migrations.ts';
import { applyMoves, renumberedFiles } from '../core/renumbered-files.ts';
import type { Answers } from '../core/options.ts';
import { generatorVersion } from '../core/paths.ts';
import { didYouMean } from '../core/suggest.ts';
import { applyUpdate, assertCleanWorkTree, findProject, uncommittedChanges, whereNote, type GeneratedProject } from './project-update.ts';
import { checkFrom, renderCurrent, renderVersion } from './version-render.ts';

interface CommandArgs {
  positionals: string[];
  dryRun: boolean;
  force: boolean;
  help: boolean;
  from?: string;
}


/**
 * The three-way input of upgrade, add and remove: `base` (mutated) re-keyed
 * by the migrations' file moves (old path → new path), then by the files
 * whose sequence number changed, so each is merged at its new path.
 */
function mergeInput(project: GeneratedProject, base: Map<string, Buffer>, theirs: Map<string, Buffer>, moves: ReadonlyMap<string, string>, labels: { base: string; theirs: string }) {
  const origins = new Map<string, string>();
  applyMoves(base, origins, moves);
  applyMoves(base, origins, renumberedFiles(base, theirs));
  return { root: project.root, base, theirs, origins, recorded: project.saved.files, labels: { ours: 'yours', ...labels } };
}

/** Strict parsing of a subcommand's arguments: `flags` are the ones it accepts (besides --help). */
function parseCommandArgs(command: string, argv: readonly string[], flags: readonly string[]): CommandArgs {
  const parsed: CommandArgs = { positionals: [], dryRun: false, force: false, help: false };
  const problems: string[] = [];
  const known = [...flags, '--help'];
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    const [flag, inline] = argument.startsWith('--') && argument.includes('=') ? [argument.slice(0, argument.indexOf('=')), argument.slice(argument.indexOf('=') + 1)] : [argument, undefined];
    if (flag === '--help' || flag === '-h') parsed.help = true;
    else if (!flag.startsWith('-')) parsed.positionals.push(flag);
    else if (!known.includes(flag)) problems.push(`${command}: unknown option ${flag}.${didYouMean(flag, known)}`);
    else if (flag === '--dry-run') parsed.dryRun = true;
    else if (flag === '--force') parsed.force = true;
    else if (flag === '--from') {
      const value = inline ?? argv[index + 1];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) problems.push(`${command}: --from needs a tarball or directory of the generator version the project was made with.`);
      else {
        parsed.from = value;
        if (inline === undefined) index++;
      }
    }
  }
  if (problems.length > 0) throw new UsageError(problems);
  return parsed;
}

export function upgradeHelp(): string {
  return [
    'Usage: create-prodready-app upgrade [--dry-run] [--force] [--from <tarball-or-dir>]',
    '',
    'Run inside a generated project. Renders the recorded answers with the version recorded in .yo-rc.json (the base) and',
    `with this version, ${generatorVersion}, and merges the difference into your files three ways: files you did not change are`,
    'replaced, files you changed are merged (conflicts between <<<<<<< and >>>>>>> markers), new files are added, files no',
    'longer generated are removed when unchanged. .yo-rc.json records the new version only when every file is written.',
    '',
    '  --dry-run                   Print what would be updated, merged, added and removed; write nothing.',
    '  --force                     Run even when the git work tree has uncommitted changes.',
    '  --from <tarball-or-dir>     The recorded generator version as a packed tarball (npm pack) or a directory, for offline',
    '                              use; without it that version is installed from the npm registry into ~/.cache once.',
    '',
    'Exit codes: 0 merged cleanly, 1 something left to resolve (conflicts, files not merged, files you deleted that the new',
    'version changed) or a failure (nothing written), 2 bad usage.',
    '',
  ].join('\n');
}

export function featureHelp(command: 'add' | 'remove'): string {
  const toggles = featureToggles();
  const width = Math.max(...toggles.map((toggle) => toggle.name.length)) + 2;
  return [
    `Usage: create-prodready-app ${command} <feature> [--dry-run] [--force]`,
    '',
    `Run inside a generated project. ${command === 'add' ? 'Adds' : 'Removes'} one feature: changes the saved answer, checks it against the other`,
    'answers, and merges the difference between the project rendered with the old and the new answers into your files,',
    'so your edits to shared files (package.json, README.md, compose files, overlays) stay.',
    '',
    'Features:',
    ...toggles.map((toggle) => `  ${toggle.name.padEnd(width)}${command === 'add' ? toggleFlag(toggle, toggle.on) : toggleFlag(toggle, toggle.off)}: ${toggle.help}`),
    '',
    '  --dry-run   Print what would be updated, merged, added and removed; write nothing.',
    '  --force     Run even when the git work tree has uncommitted changes.',
    '',
    'Exit codes: 0 merged cleanly, 1 something left to resolve (conflicts, files not merged, files you deleted that the new',
    'version changed) or a failure (nothing written), 2 bad usage or answers.',
    '',
  ].join('\n');
}

/** Answers (raw) checked against the option model; a UsageError lists every problem. */
function validated(raw: Record<string, unknown>, source: string) {
  const coerced = coerceAll(raw, source);
  const completed = completeAnswers(coerced.answers);
  const problems = [...coerced.problems, ...completed.problems];
  if (problems.length > 0 || !completed.answers) throw new UsageError(problems);
  return completed.answers;
}

/**
 * Refuses a dirty work tree (assertCleanWorkTree) unless --force; a dry run
 * writes nothing, so it goes on and returns true for its note.
 */
async function checkWorkTree(project: GeneratedProject, args: CommandArgs, command: string): Promise<boolean> {
  if (args.force) return false;
  if (!args.dryRun) {
    await assertCleanWorkTree(project.root, command);
    return false;
  }
  return (await uncommittedChanges(project.root)).length > 0;
}

/** `create-prodready-app upgrade ...` in `cwd`; returns the exit code. */
export async function upgradeCommand(argv: readonly string[], cwd: string): Promise<number> {
  const args = parseCommandArgs('upgrade', argv, ['--dry-run', '--force', '--from']);
  if (args.help) {
    process.stdout.write(upgradeHelp());
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError([`upgrade takes no arguments, got "${args.positionals[0]}". Run it inside the project's directory.`]);
  if (args.from !== undefined) checkFrom(args.from, cwd);
  const project = findProject(cwd, 'upgrade');
  const name = String(project.saved.answers.name ?? 'the project') + whereNote(project);
  if (semver.gt(project.version, generatorVersion)) {
    throw new UsageError([`${name} was generated by create-prodready-app ${project.version}, newer than this ${generatorVersion}: run npx create-prodready-app@${project.version} upgrade.`]);
  }
  if (project.version === generatorVersion) {
    process.stdout.write(`${name} is already at create-prodready-app ${generatorVersion}; nothing to upgrade.\n`);
    return 0;
  }
  const dirty = await checkWorkTree(project, args, 'upgrade');
  const recorded = explicitSavedAnswers(project.saved.answers);
  if (recorded.problems.length > 0) throw new UsageError(recorded.problems);
  const steps = stepsBetween(MIGRATIONS, project.version, generatorVersion);
  const migrated = explicitSavedAnswers(migrateAnswers(project.saved.answers, steps, DEFAULTS_KEY));
  validated(migrated.raw, '.yo-rc.json');
  const [base, theirs] = await Promise.all([renderVersion(project.version, recorded.raw, args.from, cwd), renderCurrent(migrated.raw)]);
  return applyUpdate({
    input: mergeInput(project, base.files, theirs.files, fileMoves(steps), { base: `create-prodready-app ${project.version}`, theirs: `create-prodready-app ${generatorVersion}` }),
    record: theirs.record,
    dryRun: args.dryRun,
    dirty,
    done: `Upgraded ${name} from create-prodready-app ${project.version} to ${generatorVersion}`,
    wouldDo: `upgrading ${name} from create-prodready-app ${project.version} to ${generatorVersion} would give`,
  });
}

/**
 * Checks the answers after `command` (validated); when they break a rule that
 * flipping one other feature the same way would satisfy (remove postgres
 * while backup is on: remove backup), the UsageError says to do that first.
 */
function validatedChange(next: Record<string, unknown>, command: 'add' | 'remove', toggle: FeatureToggle, current: Readonly<Answers>): void {
  try {
    validated(next, `${command} ${toggle.name}`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const first = featureToggles()
      .filter((other) => other.option !== toggle.option && (command === 'add' ? current[other.option] !== other.on : current[other.option] === other.on))
      .filter((other) => {
        try {
          validated({ ...next, [other.option]: command === 'add' ? other.on : other.off }, `${command} ${other.name}`);
          return true;
        } catch {
          return false;
        }
      })
      .map((other) => `create-prodready-app ${command} ${other.name}`);
    if (first.length === 0) throw error;
    throw new UsageError([...error.problems.slice(0, -1), `${error.problems.at(-1)} Run ${first.join(' or ')} first.`]);
  }
}

function findToggle(command: 'add' | 'remove', name: string | undefined): FeatureToggle {
  const toggles = featureToggles();
  const names = toggles.map((toggle) => toggle.name);
  if (name === undefined) throw new UsageError([`${command} needs a feature: one of ${names.join(', ')}. Example: create-prodready-app ${command} redis`]);
  const toggle = toggles.find((candidate) => candidate.name === name.toLowerCase());
  if (!toggle) throw new UsageError([`${command}: unknown feature "${name}". Features: ${names.join(', ')}.${didYouMean(name, names)}`]);
  return toggle;
}

/** `create-prodready-app add|remove <feature> ...` in `cwd`; returns the exit code. */
export async function featureCommand(command: 'add' | 'remove', argv: readonly string[], cwd: string): Promise<number> {
  const args = parseCommandArgs(command, argv, ['--dry-run', '--force']);
  if (args.help) {
    process.stdout.write(featureHelp(command));
    return 0;
  }
  if (args.positionals.length > 1) throw new UsageError([`${command} takes one feature at a time, got ${args.positionals.join(', ')}.`]);
  const toggle = findToggle(command, args.positionals[0]);
  const project = findProject(cwd, command);
  const name = String(project.saved.answers.name ?? 'the project') + whereNote(project);
  if (semver.gt(project.version, generatorVersion)) {
    throw new UsageError([
      `${name} was generated by create-prodready-app ${project.version}, newer than this ${generatorVersion}: run npx create-prodready-app@${project.version} ${command} ${toggle.name}.`,
    ]);
  }
  if (project.version !== generatorVersion) {
    throw new UsageError([
      `${name} was generated by create-prodready-app ${project.version} and this is ${generatorVersion}: run create-prodready-app upgrade first (or npx create-prodready-app@${project.version} ${command} ${toggle.name}).`,
    ]);
  }
  const recorded = explicitSavedAnswers(project.saved.answers);
  if (recorded.problems.length > 0) throw new UsageError(recorded.problems);
  const current = validated(recorded.raw, '.yo-rc.json');
  const wanted = command === 'add' ? toggle.on : toggle.off;
  const present = current[toggle.option] === toggle.on;
  if ((command === 'add' && present) || (command === 'remove' && !present)) {
    process.stdout.write(`${name} ${command === 'add' ? 'already has' : 'has no'} ${toggle.name} (${toggleFlag(toggle, current[toggle.option])}); nothing to change.\n`);
    return 0;
  }
  const next = { ...recorded.raw, [toggle.option]: wanted };
  validatedChange(next, command, toggle, current);
  const dirty = await checkWorkTree(project, args, `${command} ${toggle.name}`);
  // One after the other: two generator runs in one process do not overlap.
  const base = await renderCurrent(recorded.raw);
  const theirs = await renderCurrent(next);
  // A choice option holds one feature at a time: adding gitlab replaces github.
  const replaced = command === 'add' && current[toggle.option] !== toggle.off ? `, replacing ${String(current[toggle.option])}` : '';
  const flag = `${toggleFlag(toggle, wanted)}${replaced}`;
  return applyUpdate({
    input: mergeInput(project, base.files, theirs.files, new Map(), { base: `before ${command} ${toggle.name}`, theirs: `after ${command} ${toggle.name}` }),
    record: theirs.record,
    dryRun: args.dryRun,
    dirty,
    done: `${command === 'add' ? 'Added' : 'Removed'} ${toggle.name} (${flag}) ${command === 'add' ? 'to' : 'from'} ${name}`,
    wouldDo: `${command === 'add' ? 'adding' : 'removing'} ${toggle.name} (${flag}) ${command === 'add' ? 'to' : 'from'} ${name} would give`,
  });
}
