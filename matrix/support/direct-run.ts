/**
 * Running a check by hand on a generated project, the way the runner runs it:
 * the project's files are split into the check's units with the runner's own
 * code (units.ts, so the same glob matcher, `inputs`, `exclude`, `shared` and
 * `presence`), exactly those files are copied into a scratch directory, and
 * the check gets `context.files` and `context.facts` as from the runner.
 *
 *   node matrix/checks/<check>.ts <project-dir> [--postgres-url URL] [--redis-url URL] [--tools-dir DIR] [--verbose]
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { Check, CheckContext, Finding } from '../check.ts';
import { unitsOf } from '../units.ts';
import { variantFacts, type Facts } from './facts.ts';

/** The tools directory's copy of a tool when installed there, else the name (found on PATH). */
export function toolPath(context: CheckContext, name: string): string {
  const installed = join(context.toolsDir, 'bin', name);
  return existsSync(installed) ? installed : name;
}

export function defaultToolsDir(): string {
  return process.env.PRODREADY_TOOLS_DIR ?? join(homedir(), '.cache', 'prodready', 'tools');
}

/** The files of a project directory, "/"-separated and sorted, without what the generator never writes (node_modules, .git). */
export function projectFiles(root: string, directory = ''): string[] {
  return readdirSync(join(root, directory), { withFileTypes: true })
    .flatMap((entry) => {
      const path = directory === '' ? entry.name : `${directory}/${entry.name}`;
      if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === '.git' ? [] : projectFiles(root, path);
      return entry.isFile() ? [path] : [];
    })
    .sort();
}

export interface Selection {
  /** The files the check is about (context.files). */
  checked: string[];
  /** Every file copied with its content (checked and shared). */
  contents: string[];
  /** Files materialized empty (their presence is the input). */
  presence: string[];
}

/** The files a check takes from a list of project paths: the union of the units the runner would make of them. */
export function selectFiles(check: Check, paths: readonly string[], facts: Facts = {}, read?: (path: string) => string): Selection {
  // The paths stand in for content hashes: `read` gets a path.
  const units = unitsOf(check, 'direct run', new Map(paths.map((path) => [path, path])), undefined, facts, read);
  const union = (lists: (readonly string[])[]) => [...new Set(lists.flat())].sort();
  const contents = union(units.map((unit) => [...unit.contents.keys()]));
  return { checked: union(units.map((unit) => unit.checked)), contents, presence: union(units.map((unit) => unit.presence)).filter((path) => !contents.includes(path)) };
}

/** The answers saved in a generated project's .yo-rc.json. */
export function savedAnswers(root: string): Record<string, unknown> {
  const file = join(root, '.yo-rc.json');
  if (!existsSync(file)) throw new Error(`${file} not found: the facts of a project come from the answers the CLI saved there`);
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown> | undefined>;
  const answers = saved['create-prodready-app'];
  if (!answers) throw new Error(`${file} holds no create-prodready-app answers`);
  return answers;
}

/** The facts of a generated project on disk (the runner's fallback, from its saved answers). */
export function projectFacts(root: string): Facts {
  return Object.freeze(variantFacts(savedAnswers(root)));
}

export interface DirectRun {
  /** The scratch directory holding exactly the selected files. */
  directory: string;
  selection: Selection;
  /** What the runner would pass as context.files and context.facts. */
  context: Pick<CheckContext, 'files' | 'facts'>;
  remove(): void;
}

/** Copies the files the check takes from `root` into a new scratch directory. Throws when the check's `when` rejects the project's facts: it does not run on such a project. */
export function prepareDirectRun(check: Check, root: string): DirectRun {
  const projectFactsIfNeeded = check.facts || check.when ? projectFacts(root) : {};
  if (check.when && !check.when(projectFactsIfNeeded)) throw new Error(`${check.name} does not run on this project: its options (${root}/.yo-rc.json) are not among the combinations it applies to`);
  const selection = selectFiles(check, projectFiles(root), projectFactsIfNeeded, (path) => readFileSync(join(root, path), 'utf8'));
  const directory = mkdtempSync(join(tmpdir(), `${check.name}-`));
  for (const path of selection.contents) {
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    cpSync(join(root, path), join(directory, path));
  }
  for (const path of selection.presence) {
    if (path.endsWith('/')) {
      mkdirSync(join(directory, path), { recursive: true });
      continue;
    }
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    writeFileSync(join(directory, path), '');
  }
  const facts = check.facts ? check.facts(projectFactsIfNeeded) : undefined;
  return {
    directory,
    selection,
    context: { files: selection.checked, ...(facts === undefined ? {} : { facts }) },
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}

/** The command line of a check module run directly. */
export async function runStandalone(check: Check): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'postgres-url': { type: 'string' },
      'redis-url': { type: 'string' },
      'tools-dir': { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) {
    process.stderr.write(`usage: node ${relative(process.cwd(), process.argv[1] ?? '')} <project-dir> [--postgres-url URL] [--redis-url URL] [--tools-dir DIR] [--verbose]\n`);
    process.exit(2);
  }
  const prepared = prepareDirectRun(check, positionals[0] as string);
  const context: CheckContext = {
    toolsDir: values['tools-dir'] ?? defaultToolsDir(),
    postgresUrl: values['postgres-url'],
    redisUrl: values['redis-url'],
    log: (message) => {
      if (values.verbose) process.stderr.write(`[${check.name}] ${message}\n`);
    },
    ...prepared.context,
  };
  try {
    const tool = await check.tool(context);
    const started = performance.now();
    const findings: Finding[] = await check.run(prepared.directory, context);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`${check.name} (${tool}) on ${prepared.selection.contents.length} input files: ${findings.length === 0 ? 'pass' : `${findings.length} findings`} in ${seconds} s\n`);
    for (const finding of findings) process.stdout.write(`- ${finding.file ? `${finding.file}: ` : ''}${finding.message}\n`);
    process.exitCode = findings.length === 0 ? 0 : 1;
  } finally {
    prepared.remove();
  }
}
