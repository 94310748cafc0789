/**
 * What a run did, for people and for automation: the error classes with their
 * exit codes and stable codes, and the record the app generator fills in as it
 * goes, which `--json` prints as one document (schema:
 * docs/json-output.schema.json, described in docs/json-output.md).
 */
import { UsageError, type UsageCode } from '../core/answers.ts';
import { explain, FileSystemError, isExplainable } from '../core/fs-errors.ts';
import { interruptNote } from '../core/interrupt.ts';
import type { AnswerName, AnswerValue } from '../core/options.ts';
import type { WritePlan } from '../core/write-plan.ts';
import { PostWriteError, type StepName, type StepOutcome, type StepResult } from './post-write.ts';

/** Process exit codes: 2 for input the run refuses, 1 for a failure of the environment or the generator, 130 for an interrupt. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** The version of the --json document's shape; raised only for changes a consumer could trip over (a removed or retyped field). */
export const JSON_SCHEMA_VERSION = 1;

/** Stable error codes, one per class of error (docs/json-output.md lists what each means). */
export type ErrorCode = UsageCode | 'file-system' | 'post-write-failed' | 'interrupted' | 'internal';

/** An error as the CLI reports it. */
export interface Failure {
  code: ErrorCode;
  exitCode: number;
  /** What the user reads after "Error: " (without --json) or in `error.message` (with it). */
  message: string;
}

/** Inquirer's error for a prompt closed by Ctrl-C or the end of input, matched by name so the prompt library is not loaded. */
function isPromptClosed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ExitPromptError';
}

/** The class of `error`: its stable code, the exit code and the message (the same with and without --json). */
export function classify(error: unknown): Failure {
  if (isPromptClosed(error)) return { code: 'interrupted', exitCode: EXIT.interrupted, message: interruptNote() };
  if (error instanceof UsageError) return { code: error.code, exitCode: EXIT.usage, message: error.message };
  if (error instanceof FileSystemError) return { code: 'file-system', exitCode: EXIT.failure, message: error.message };
  if (error instanceof PostWriteError) return { code: 'post-write-failed', exitCode: EXIT.failure, message: error.message };
  if (isExplainable(error)) return { code: 'file-system', exitCode: EXIT.failure, message: explain(error, 'use') };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', exitCode: EXIT.failure, message };
}

/** Project-relative paths ("/" separated, sorted) by what the run does to them. */
export interface FileGroups {
  created: string[];
  changed: string[];
  unchanged: string[];
  removed: string[];
  /** Edited, not generated, or in the way: written or removed only with --force (without it the run stops and writes nothing). */
  conflicting: string[];
}

const sorted = (paths: readonly string[]) => [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** The groups of a write plan (write-plan.ts). */
export function fileGroups(plan: WritePlan): FileGroups {
  return {
    created: sorted(plan.create.map((file) => file.path)),
    changed: sorted(plan.update.map((file) => file.path)),
    unchanged: sorted(plan.unchanged),
    removed: sorted(plan.remove),
    conflicting: sorted(plan.conflicts.map((conflict) => conflict.path)),
  };
}

/** The resolved answers and which of them were chosen (flag, answers file, directory name, saved explicit answer or prompt) rather than defaults. */
export interface ReportedAnswers {
  values: Partial<Record<AnswerName, AnswerValue>>;
  /** Option names in the option model's order. */
  explicit: AnswerName[];
}

/**
 * What a run has done so far. The CLI creates one, the app generator fills it
 * in as each phase ends (a failed run keeps what was known when it failed),
 * and `jsonDocument` turns it into the --json output.
 */
export class RunReport {
  dryRun = false;
  /** The absolute target directory, symbolic links resolved; null until known. */
  target: string | null = null;
  answers: ReportedAnswers | null = null;
  /** The write plan's groups; null until the plan is made. */
  files: FileGroups | null = null;
  steps: StepOutcome[] = [];
  /** The commands the human summary suggests, in order ("cd ./x", "npm install", "npm run dev", ...). */
  nextSteps: string[] = [];
}

/** One step after writing, as --json reports it. */
export interface ReportedStep {
  name: StepName;
  outcome: StepResult;
  durationMs: number;
  summary: string;
}

/** The --json document (docs/json-output.schema.json). Every key is always present; `null` means not known (the run stopped before). */
export interface JsonRunDocument {
  schemaVersion: number;
  version: string;
  exitCode: number;
  error: { code: ErrorCode; message: string } | null;
  dryRun: boolean;
  target: string | null;
  answers: ReportedAnswers | null;
  files: FileGroups | null;
  steps: ReportedStep[];
  nextSteps: string[];
}

/** The document for a run that ended with `exitCode` (and `failure`, when it failed). */
export function jsonDocument(report: RunReport, version: string, exitCode: number, failure?: Failure): JsonRunDocument {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    version,
    exitCode,
    error: failure ? { code: failure.code, message: failure.message } : null,
    dryRun: report.dryRun,
    target: report.target,
    answers: report.answers,
    files: report.files,
    steps: report.steps.map(({ name, outcome, durationMs, summary }) => ({ name, outcome, durationMs, summary })),
    nextSteps: report.nextSteps,
  };
}

/** The document as written to stdout: JSON with two-space indentation and a final newline. */
export function jsonText(document: JsonRunDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
