/**
 * The command line: argv → run controls and raw answers → the app generator,
 * run by yeoman-environment exactly as yeoman-test and the matrix run it.
 */
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/answers.ts';
import { parseArgv, wantsJson, type ParsedArgv } from '../core/argv.ts';
import { completionScript, SHELLS, type Shell } from '../core/completion.ts';
import { helpText } from '../core/help.ts';
import { interruptNote } from '../core/interrupt.ts';
import { style } from '../core/output.ts';
import { stopActiveProgress } from '../core/progress.ts';
import { showUpdateNotice } from '../core/update-notice.ts';
import { generatorVersion } from '../core/paths.ts';
import { asFileSystemError } from '../core/fs-errors.ts';
import { UpdateError } from '../core/update-error.ts';
import { classify, EXIT, jsonDocument, jsonText, RunReport } from './run-report.ts';

export { EXIT } from './run-report.ts';

export interface CliContext {
  cwd: string;
  stdinIsTTY: boolean;
}

/**
 * The target directory as the file system sees it: `directory` resolved
 * against `cwd`, with every symbolic link on the existing part of the path
 * followed (so a link to an empty directory is that directory, and paths
 * reached through a symlinked cwd compare equal). Any writable path is a
 * target, inside the working directory or not; nothing is written outside it.
 * A scoped npm name ("@scope/name") is refused: it would become the nested
 * directory ./@scope/name, and the project name cannot be scoped.
 */
export function resolveTarget(cwd: string, directory: string | undefined): string {
  if (directory !== undefined && /^@[^/]+\/[^/]+$/.test(directory)) {
    const unscoped = directory.slice(directory.indexOf('/') + 1);
    throw new UsageError([
      `"${directory}" is a scoped npm package name, not a directory. The project name also names the container image and Kubernetes objects, so it cannot be scoped (--name does not take one either): use create-prodready-app ${unscoped}.`,
    ]);
  }
  const logical = resolve(cwd, directory ?? '.');
  const missing: string[] = [];
  let existing = logical;
  for (;;) {
    try {
      return join(realpathSync(existing), ...missing);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || dirname(existing) === existing) throw asFileSystemError(error, 'use the directory', directory ?? '.');
      missing.unshift(basename(existing));
      existing = dirname(existing);
    }
  }
}

/** `logical` is the directory as typed, resolved without following links: its last part names the project. */
function generatorOptions(parsed: ParsedArgv, context: CliContext, root: string, logical: string | undefined, run: RunReport): Record<string, unknown> {
  const regenerating = existsSync(join(root, '.yo-rc.json'));
  return {
    ...parsed.answers,
    // The directory names the project unless --name, an answers file or saved answers say otherwise.
    nameFromDirectory: parsed.directory === undefined ? undefined : basename(logical ?? root),
    // Without a directory, the project goes to ./<name> (or here, when this is a generated project).
    targetFromName: parsed.directory === undefined && !regenerating,
    interactive: context.stdinIsTTY && !parsed.controls.yes && !parsed.controls.json,
    answersFile: parsed.controls.answersFile === undefined ? undefined : resolve(context.cwd, parsed.controls.answersFile),
    dryRun: parsed.controls.dryRun,
    force: parsed.controls.force,
    skipInstall: parsed.controls.skipInstall,
    skipGit: parsed.controls.skipGit,
    json: parsed.controls.json,
    report: run,
  };
}

export async function runGenerator(root: string, options: Record<string, unknown>): Promise<void> {
  const [{ default: Environment }, { default: AppGenerator }] = await Promise.all([import('yeoman-environment'), import('./index.ts')]);
  const env = new Environment({ cwd: root, skipInstall: true, skipCache: true });
  const generator = await env.create(AppGenerator as never, { generatorArgs: [], generatorOptions: options as never });
  await env.runGenerator(generator as never);
}

/** Prints `error` for a person on stderr; returns the exit code. */
function report(error: unknown): number {
  const stream = process.stderr;
  // upgrade, add and remove: not a generator run, so not one of --json's error classes.
  if (error instanceof UpdateError) {
    stream.write(`${style.red('Error:', stream)} ${error.message}\n`);
    return EXIT.failure;
  }
  const failure = classify(error);
  if (failure.code === 'interrupted') stream.write(`\n${failure.message}\n`);
  else if (failure.code === 'internal') {
    stream.write(`${style.red('Error:', stream)} ${failure.message}\nNothing was written. Please report this at https://github.com/create-prodready-app/create-prodready-app/issues if it persists.\n`);
    if (process.env.DEBUG) stream.write(`${(error as Error).stack}\n`);
  } else stream.write(`${style.red('Error:', stream)} ${failure.message}\n`);
  return failure.exitCode;
}

/** Prints the --json document for `run` on stdout (and nothing else goes there); returns the exit code. */
function reportJson(run: RunReport, error?: unknown): number {
  const failure = error === undefined ? undefined : classify(error);
  const exitCode = failure?.exitCode ?? EXIT.ok;
  if (failure?.code === 'internal' && process.env.DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
  process.stdout.write(jsonText(jsonDocument(run, generatorVersion, exitCode, failure)));
  return exitCode;
}

/** --json describes a generator run; a command that prints text for people refuses it rather than mix the two on stdout. */
function refuseJson(what: string): never {
  throw new UsageError([`--json describes a generator run; ${what}. Leave out --json.`]);
}

/** `create-prodready-app completion <shell>`: the completion script on stdout. */
function printCompletion(args: readonly string[]): number {
  const [shell, ...rest] = args;
  if (!SHELLS.includes(shell as Shell) || rest.length > 0) {
    const given = shell === undefined ? 'No shell given' : rest.length > 0 ? `Unexpected argument "${rest[0]}"` : `Unknown shell "${shell}"`;
    throw new UsageError([`${given}: completion supports ${SHELLS.slice(0, -1).join(', ')} and ${SHELLS.at(-1)}. Example: source <(create-prodready-app completion bash)`]);
  }
  process.stdout.write(completionScript(shell as Shell));
  return EXIT.ok;
}

/**
 * Replaces the launcher's interrupt handler: from here on an interrupt says
 * what the run has done and what is left (with --json, as the document's
 * `interrupted` error, with what the run had done by then).
 */
function handleInterrupts(json: RunReport | undefined): void {
  process.removeAllListeners('SIGINT');
  process.once('SIGINT', () => {
    stopActiveProgress();
    if (json) {
      const message = interruptNote();
      process.stdout.write(jsonText(jsonDocument(json, generatorVersion, EXIT.interrupted, { code: 'interrupted', exitCode: EXIT.interrupted, message })));
    } else process.stderr.write(`\n${interruptNote()}\n`);
    process.exit(EXIT.interrupted);
  });
}

/**
 * Runs the command line `argv` (without node and the script); returns the
 * exit code (EXIT). With --json, stdout gets exactly one JSON document, for a
 * refused command line too, and human output goes to stderr or is left out.
 */
/**
 * A reader that went away (`create-prodready-app … 2>&1 | head -2`) must not
 * end the run between its steps: writes to a closed pipe (EPIPE) are dropped,
 * any other stream error still ends the process.
 */
function dropWritesToClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

export async function main(argv: readonly string[], context: CliContext): Promise<number> {
  dropWritesToClosedPipes();
  const json = wantsJson(argv) ? new RunReport() : undefined;
  handleInterrupts(json);
  try {
    if (argv[0] === 'completion') {
      if (json) refuseJson('completion prints a shell script');
      return printCompletion(argv.slice(1));
    }
    if (json && ['upgrade', 'add', 'remove'].includes(argv[0] ?? '')) refuseJson(`${argv[0]} prints a summary for people`);
    // Loaded only for these commands: they render with the generator, which a plain run also loads only when it starts.
    if (argv[0] === 'upgrade') return await (await import('./update-commands.ts')).upgradeCommand(argv.slice(1), context.cwd);
    if (argv[0] === 'add' || argv[0] === 'remove') return await (await import('./update-commands.ts')).featureCommand(argv[0], argv.slice(1), context.cwd);
    const parsed = parseArgv(argv);
    if (parsed.controls.help) {
      if (json) refuseJson('--help prints text for people');
      process.stdout.write(helpText(generatorVersion));
      return EXIT.ok;
    }
    if (parsed.controls.version) {
      if (json) refuseJson('--version prints the bare version (every --json document has it under "version")');
      process.stdout.write(`${generatorVersion}\n`);
      return EXIT.ok;
    }
    const root = resolveTarget(context.cwd, parsed.directory);
    const run = json ?? new RunReport();
    run.dryRun = parsed.controls.dryRun;
    const options = generatorOptions(parsed, context, root, parsed.directory === undefined ? undefined : resolve(context.cwd, parsed.directory), run);
    await runGenerator(root, options);
    if (json) return reportJson(json);
    await showUpdateNotice({ version: generatorVersion, interactive: options.interactive === true, disabled: parsed.controls.noUpdateNotifier });
    return EXIT.ok;
  } catch (error) {
    return json ? reportJson(json, error) : report(error);
  }
}
