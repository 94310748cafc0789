/**
 * Renders a project with a given generator version, for the base of a
 * three-way merge: in process when it is the running version, otherwise by
 * running that version's own CLI into a temporary directory.
 *
 * Where another version comes from:
 * - `--from <dir>`: a package directory (an unpacked or installed
 *   create-prodready-app, or a checkout with its node_modules);
 * - `--from <file.tgz>`: a packed tarball (`npm pack`), installed with its
 *   runtime dependencies into the cache once;
 * - neither: `create-prodready-app@<version>` from the npm registry, installed
 *   into the cache once (~/.cache/create-prodready-app/versions/<version>, or
 *   under $XDG_CACHE_HOME).
 * npm install rather than npm pack: the published CLI loads prettier and two
 * other dependencies at run time, so the package alone cannot run.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../core/answers.ts';
import { generatorVersion } from '../core/paths.ts';
import { startStep } from '../core/progress.ts';
import { UpdateError } from '../core/update-error.ts';
import { ANSWERS_FILE } from '../core/write-plan.ts';
import { renderProject } from './render.ts';

export interface Rendering {
  /** Project-relative path → contents, without .yo-rc.json. */
  files: Map<string, Buffer>;
  /** The rendered .yo-rc.json (answers, version, manifest). */
  record: string;
}

const PACKAGE = 'create-prodready-app';

/** Splits a path → text map into the files and the record. */
function asRendering(files: Iterable<[string, Buffer]>): Rendering {
  const map = new Map<string, Buffer>();
  let record: string | undefined;
  for (const [path, contents] of files) {
    if (path === ANSWERS_FILE) record = contents.toString('utf8');
    else map.set(path, contents);
  }
  if (record === undefined) throw new Error(`${ANSWERS_FILE} was not rendered`);
  return { files: map, record };
}

/** Renders `answers` (raw explicit answers, as saved) with the running generator, in memory. */
export async function renderCurrent(answers: Record<string, unknown>): Promise<Rendering> {
  const rendered = await renderProject(answers);
  return asRendering([...rendered.files].map(([path, text]) => [path, Buffer.from(text, 'utf8')]));
}

/** The cache directory for other generator versions. */
function cacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), PACKAGE, 'versions');
}

/** The version in a package directory's package.json, or undefined when it is not this generator. */
function packageVersion(directory: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: string; version?: string };
    return manifest.name === PACKAGE ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Installs `spec` (a tarball path or name@version) with its runtime
 * dependencies into `directory`, which becomes the cache entry only when the
 * install is complete. `what` names it and `hint` says what to do when npm fails.
 */
async function install(spec: string, directory: string, what: string, hint: string): Promise<void> {
  const staging = `${directory}.${process.pid}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'package.json'), '{ "private": true }\n');
  const step = await startStep(`Installing ${what}`);
  const result = await execa('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--omit=dev', '--ignore-scripts', spec], {
    cwd: staging,
    reject: false,
    stdin: 'ignore',
    env: { npm_config_update_notifier: 'false' },
  });
  step.finish(result.exitCode === 0);
  if (result.exitCode !== 0) {
    rmSync(staging, { recursive: true, force: true });
    const cause = String(result.stderr)
      .split('\n')
      .filter((line) => /npm (error|ERR!)/.test(line) && !/complete log of this run/.test(line))
      .slice(0, 3)
      .join('\n');
    throw new UpdateError(`Could not install ${what} to render the project as it was generated:\n${cause || result.shortMessage}\n${hint}`);
  }
  rmSync(directory, { recursive: true, force: true });
  renameSync(staging, directory);
}

/**
 * Checks `--from <from>` (resolved against `cwd`) before anything else: a
 * UsageError when nothing is there, or when a directory is not a
 * create-prodready-app package. A tarball's contents are checked when it is
 * installed (generatorPackage).
 */
export function checkFrom(from: string, cwd: string): void {
  const path = resolve(cwd, from);
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) throw new UsageError([`--from ${from}: no such file or directory.`]);
  if (stats.isDirectory() && packageVersion(path) === undefined && packageVersion(join(path, 'node_modules', PACKAGE)) === undefined) {
    throw new UsageError([`--from ${from}: not a ${PACKAGE} package (no package.json named ${PACKAGE}).`]);
  }
}

/**
 * The package directory of generator `version`: from `from` (resolved
 * against `cwd`) or the cache, installing into the cache when needed. Throws
 * a UsageError when `from` is missing or holds another version, and an
 * UpdateError when npm cannot install it.
 */
export async function generatorPackage(version: string, from: string | undefined, cwd: string): Promise<string> {
  let directory: string;
  if (from !== undefined) {
    checkFrom(from, cwd);
    const path = resolve(cwd, from);
    const stats = statSync(path);
    if (stats.isDirectory()) {
      const installed = join(path, 'node_modules', PACKAGE);
      directory = packageVersion(path) === undefined && packageVersion(installed) !== undefined ? installed : path;
    } else {
      const digest = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
      const entry = join(cacheRoot(), `tarball-${digest}`);
      if (!existsSync(join(entry, 'node_modules', PACKAGE, 'package.json'))) await install(path, entry, `the tarball ${from}`, 'Check that it is a tarball made by npm pack of create-prodready-app, or pass --from a directory of that version.');
      directory = join(entry, 'node_modules', PACKAGE);
    }
    const found = packageVersion(directory);
    if (found === undefined) throw new UsageError([`--from ${from}: not a ${PACKAGE} package (no package.json named ${PACKAGE}).`]);
    if (found !== version) {
      throw new UsageError([`--from ${from} is ${PACKAGE} ${found}, but this project was generated by ${version}: give that version (npm pack ${PACKAGE}@${version}).`]);
    }
  } else {
    const entry = join(cacheRoot(), version);
    if (!existsSync(join(entry, 'node_modules', PACKAGE, 'package.json'))) {
      const hint = `Without network access, or for a version that is not published, pass --from <tarball or directory> with ${PACKAGE} ${version} (npm pack ${PACKAGE}@${version} makes the tarball where the registry is reachable).`;
      await install(`${PACKAGE}@${version}`, entry, `${PACKAGE}@${version} from the npm registry`, hint);
    }
    directory = join(entry, 'node_modules', PACKAGE);
  }
  if (!existsSync(join(directory, 'bin', `${PACKAGE}.js`))) throw new UsageError([`${directory} has no bin/${PACKAGE}.js: not a complete ${PACKAGE} package.`]);
  return directory;
}

/** Every file under `root`, relative and "/" separated, with its contents. */
function readTree(root: string): Array<[string, Buffer]> {
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return [relative(root, path).split(sep).join('/'), readFileSync(path)] as [string, Buffer];
    });
}

/**
 * Renders `answers` (raw explicit answers) with generator `version`: in
 * process when it is the running version, otherwise with that version's CLI
 * (`--yes --skip-install --skip-git`, the answers in an answers file) in a
 * temporary directory that is removed afterwards. Errors as generatorPackage;
 * an UpdateError when the other version's CLI fails.
 */
export async function renderVersion(version: string, answers: Record<string, unknown>, from: string | undefined, cwd: string): Promise<Rendering> {
  if (version === generatorVersion) return renderCurrent(answers);
  const directory = await generatorPackage(version, from, cwd);
  const scratch = mkdtempSync(join(tmpdir(), `${PACKAGE}-base-`));
  try {
    const answersFile = join(scratch, 'answers.json');
    writeFileSync(answersFile, `${JSON.stringify(answers, null, 2)}\n`);
    const step = await startStep(`Rendering the project as ${PACKAGE} ${version} generated it`);
    const result = await execa(process.execPath, [join(directory, 'bin', `${PACKAGE}.js`), 'project', '--answers-file', answersFile, '--yes', '--skip-install', '--skip-git'], {
      cwd: scratch,
      reject: false,
      stdin: 'ignore',
      env: { NO_COLOR: '1', NO_UPDATE_NOTIFIER: '1' },
    });
    step.finish(result.exitCode === 0);
    if (result.exitCode !== 0) {
      throw new UpdateError(`${PACKAGE} ${version} could not render this project's answers (exit ${result.exitCode}):\n${String(result.stderr).trim()}`);
    }
    return asRendering(readTree(join(scratch, 'project')));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
