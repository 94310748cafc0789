/**
 * Running a container check by hand during development, the way the matrix
 * runs it: only the check's input files are copied into a scratch directory.
 *
 *   node matrix/checks/<check>.ts <project-dir> [--postgres-url URL] [--redis-url URL] [--tools-dir DIR] [--verbose]
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, matchesGlob, relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { Check, CheckContext, Finding } from '../../check.ts';

/** The tools directory's copy of a tool when installed there, else the name (found on PATH). */
export function toolPath(context: CheckContext, name: string): string {
  const installed = join(context.toolsDir, 'bin', name);
  return existsSync(installed) ? installed : name;
}

export function defaultToolsDir(): string {
  return process.env.PRODREADY_TOOLS_DIR ?? join(homedir(), '.cache', 'prodready', 'tools');
}

function listFiles(root: string, directory = ''): string[] {
  return readdirSync(join(root, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = directory === '' ? entry.name : `${directory}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === '.git' ? [] : listFiles(root, path);
    return entry.isFile() ? [path] : [];
  });
}

/** Copies the files of `source` that the check reads into `target`; returns their paths. */
export function copyInputs(check: Check, source: string, target: string): string[] {
  const selected = listFiles(source).filter(
    (path) => check.inputs.some((glob) => matchesGlob(path, glob)) && !(check.exclude ?? []).some((glob) => matchesGlob(path, glob)),
  );
  for (const path of selected) {
    mkdirSync(dirname(join(target, path)), { recursive: true });
    cpSync(join(source, path), join(target, path));
  }
  return selected;
}

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
  const context: CheckContext = {
    toolsDir: values['tools-dir'] ?? defaultToolsDir(),
    postgresUrl: values['postgres-url'],
    redisUrl: values['redis-url'],
    log: (message) => {
      if (values.verbose) process.stderr.write(`[${check.name}] ${message}\n`);
    },
  };
  const scratch = mkdtempSync(join(tmpdir(), `${check.name}-`));
  try {
    const inputs = copyInputs(check, positionals[0] as string, scratch);
    const tool = await check.tool(context);
    const started = performance.now();
    const findings: Finding[] = await check.run(scratch, context);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`${check.name} (${tool}) on ${inputs.length} input files: ${findings.length === 0 ? 'pass' : `${findings.length} findings`} in ${seconds} s\n`);
    for (const finding of findings) process.stdout.write(`- ${finding.file ? `${finding.file}: ` : ''}${finding.message}\n`);
    process.exitCode = findings.length === 0 ? 0 : 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
