/**
 * The command line: argv → run controls and raw answers → the app generator,
 * run by yeoman-environment exactly as yeoman-test and the matrix run it.
 */
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/answers.ts';
import { parseArgv, type ParsedArgv } from '../core/argv.ts';
import { completionScript, SHELLS, type Shell } from '../core/completion.ts';
import { helpText } from '../core/help.ts';
import { interruptNote } from '../core/interrupt.ts';
import { style } from '../core/output.ts';
import { showUpdateNotice } from '../core/update-notice.ts';
import { generatorVersion } from '../core/paths.ts';
import { asFileSystemError, explain, FileSystemError, isExplainable } from '../core/fs-errors.ts';
import { PostWriteError } from './post-write.ts';
import { UpdateError } from '../core/update-error.ts';

export interface CliContext {
  cwd: string;
  stdinIsTTY: boolean;
}

export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

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
function generatorOptions(parsed: ParsedArgv, context: CliContext, root: string, logical: string | undefined): Record<string, unknown> {
  const regenerating = existsSync(join(root, '.yo-rc.json'));
  return {
    ...parsed.answers,
    // The directory names the project unless --name, an answers file or saved answers say otherwise.
    nameFromDirectory: parsed.directory === undefined ? undefined : basename(logical ?? root),
    // Without a directory, the project goes to ./<name> (or here, when this is a generated project).
    targetFromName: parsed.directory === undefined && !regenerating,
    interactive: context.stdinIsTTY && !parsed.controls.yes,
    answersFile: parsed.controls.answersFile === undefined ? undefined : resolve(context.cwd, parsed.controls.answersFile),
    dryRun: parsed.controls.dryRun,
    force: parsed.controls.force,
    skipInstall: parsed.controls.skipInstall,
    skipGit: parsed.controls.skipGit,
  };
}

export async function runGenerator(root: string, options: Record<string, unknown>): Promise<void> {
  const [{ default: Environment }, { default: AppGenerator }] = await Promise.all([import('yeoman-environment'), import('./index.ts')]);
  const env = new Environment({ cwd: root, skipInstall: true, skipCache: true });
  const generator = await env.create(AppGenerator as never, { generatorArgs: [], generatorOptions: options as never });
  await env.runGenerator(generator as never);
}

/**
 * Inquirer's error for a prompt closed by Ctrl-C or the end of input
 * (@inquirer/core's ExitPromptError). Matched by its name so that the CLI does
 * not load the prompt library on runs that never prompt.
 */
function isPromptClosed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ExitPromptError';
}

function report(error: unknown): number {
  const stream = process.stderr;
  if (isPromptClosed(error)) {
    stream.write(`\n${interruptNote()}\n`);
    return EXIT.interrupted;
  }
  if (error instanceof UsageError) {
    stream.write(`${style.red('Error:', stream)} ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof FileSystemError || error instanceof PostWriteError || error instanceof UpdateError) {
    stream.write(`${style.red('Error:', stream)} ${error.message}\n`);
    return EXIT.failure;
  }
  if (isExplainable(error)) {
    stream.write(`${style.red('Error:', stream)} ${explain(error, 'use')}\n`);
    return EXIT.failure;
  }
  stream.write(`${style.red('Error:', stream)} ${(error as Error).message ?? String(error)}\nNothing was written. Please report this at https://github.com/create-prodready-app/create-prodready-app/issues if it persists.\n`);
  if (process.env.DEBUG) stream.write(`${(error as Error).stack}\n`);
  return EXIT.failure;
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

/** Replaces the launcher's interrupt handler: from here on an interrupt says what the run has done and what is left. */
function handleInterrupts(): void {
  process.removeAllListeners('SIGINT');
  process.once('SIGINT', () => {
    process.stderr.write(`\n${interruptNote()}\n`);
    process.exit(EXIT.interrupted);
  });
}

export async function main(argv: readonly string[], context: CliContext): Promise<number> {
  handleInterrupts();
  try {
    if (argv[0] === 'completion') return printCompletion(argv.slice(1));
    // Loaded only for these commands: they render with the generator, which a plain run also loads only when it starts.
    if (argv[0] === 'upgrade') return await (await import('./update-commands.ts')).upgradeCommand(argv.slice(1), context.cwd);
    if (argv[0] === 'add' || argv[0] === 'remove') return await (await import('./update-commands.ts')).featureCommand(argv[0], argv.slice(1), context.cwd);
    const parsed = parseArgv(argv);
    if (parsed.controls.help) {
      process.stdout.write(helpText(generatorVersion));
      return EXIT.ok;
    }
    if (parsed.controls.version) {
      process.stdout.write(`${generatorVersion}\n`);
      return EXIT.ok;
    }
    const root = resolveTarget(context.cwd, parsed.directory);
    const options = generatorOptions(parsed, context, root, parsed.directory === undefined ? undefined : resolve(context.cwd, parsed.directory));
    await runGenerator(root, options);
    await showUpdateNotice({ version: generatorVersion, interactive: options.interactive === true, disabled: parsed.controls.noUpdateNotifier });
    return EXIT.ok;
  } catch (error) {
    return report(error);
  }
}
