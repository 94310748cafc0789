/**
 * The command line: argv → run controls and raw answers → the app generator,
 * run by yeoman-environment exactly as yeoman-test and the matrix run it.
 */
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/answers.ts';
import { parseArgv, type ParsedArgv } from '../core/argv.ts';
import { helpText } from '../core/help.ts';
import { style } from '../core/output.ts';
import { generatorVersion } from '../core/paths.ts';
import { asFileSystemError, explain, FileSystemError, isExplainable } from '../core/fs-errors.ts';
import { PostWriteError } from './post-write.ts';

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
 */
export function resolveTarget(cwd: string, directory: string | undefined): string {
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
  const answers = { ...parsed.answers };
  const regenerating = existsSync(join(root, '.yo-rc.json'));
  // The directory names the project unless --name (or an answers file, or saved answers) says otherwise.
  if (answers.name === undefined && parsed.directory !== undefined && !parsed.controls.answersFile && !regenerating) {
    answers.name = basename(logical ?? root);
  }
  return {
    ...answers,
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

function report(error: unknown): number {
  const stream = process.stderr;
  if (error instanceof UsageError) {
    stream.write(`${style.red('Error:', stream)} ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof FileSystemError || error instanceof PostWriteError) {
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

export async function main(argv: readonly string[], context: CliContext): Promise<number> {
  try {
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
    await runGenerator(root, generatorOptions(parsed, context, root, parsed.directory === undefined ? undefined : resolve(context.cwd, parsed.directory)));
    return EXIT.ok;
  } catch (error) {
    return report(error);
  }
}
