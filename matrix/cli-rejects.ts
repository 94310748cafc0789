/**
 * Proves that the CLI refuses an invalid combination: `main` from the real
 * CLI module runs in an empty temporary working directory and must exit
 * non-zero, state the broken rule, and write nothing.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvalidCombination } from './space.ts';

export interface RejectionResult {
  id: string;
  argv: string[];
  rule: string;
  exitCode: number;
  /** What the CLI printed (stderr, then stdout). */
  output: string;
  /** Why the rejection is not as required; empty when it is. */
  problems: string[];
  ms: number;
}

type Main = (argv: readonly string[], context: { cwd: string; stdinIsTTY: boolean }) => Promise<number>;

/** Runs `main` with process.stdout and process.stderr captured (the CLI writes to them directly). */
async function captured(run: () => Promise<number>): Promise<{ exitCode: number; stderr: string; stdout: string }> {
  const streams = { stderr: '', stdout: '' };
  const originals = { stderr: process.stderr.write, stdout: process.stdout.write };
  const capture = (name: 'stderr' | 'stdout') =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      streams[name] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof process.stderr.write;
  process.stderr.write = capture('stderr');
  process.stdout.write = capture('stdout');
  try {
    const exitCode = await run();
    return { exitCode, ...streams };
  } finally {
    process.stderr.write = originals.stderr;
    process.stdout.write = originals.stdout;
  }
}

function listRecursive(directory: string): string[] {
  return (readdirSync(directory, { recursive: true }) as string[]).sort();
}

export async function checkRejection(combination: InvalidCombination, main?: Main): Promise<RejectionResult> {
  const run = main ?? (await import('../generators/app/cli.ts')).main;
  const cwd = mkdtempSync(join(tmpdir(), 'prodready-matrix-cli-'));
  const started = performance.now();
  try {
    const { exitCode, stderr, stdout } = await captured(() => run(combination.argv, { cwd, stdinIsTTY: false }));
    const output = `${stderr}${stdout}`;
    const problems: string[] = [];
    if (exitCode === 0) problems.push('the CLI accepted it (exit code 0)');
    if (!output.includes(combination.rule)) problems.push(`the output does not state the rule "${combination.rule}"`);
    const written = listRecursive(cwd);
    if (written.length > 0) problems.push(`it wrote ${written.slice(0, 5).join(', ')}${written.length > 5 ? `, ... (${written.length})` : ''}`);
    return { id: combination.id, argv: combination.argv, rule: combination.rule, exitCode, output: output.trim(), problems, ms: performance.now() - started };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
