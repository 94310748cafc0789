/**
 * The JSON Schema (draft 2020-12) of the --json document (run-report.ts),
 * built from the option model so the answers it allows are the options that
 * exist, with their types and choices. `npm run docs` writes it to
 * docs/json-output.schema.json; test/docs.test.ts fails when the file drifts,
 * and test/json-output.test.ts validates real runs against it with Ajv.
 */
import { options, type OptionDeclaration } from '../core/options.ts';
import { EXIT, JSON_SCHEMA_VERSION, type ErrorCode } from './run-report.ts';

/** Every error code with its exit code and what it means, in the order docs/json-output.md lists them. */
export const ERROR_CODES: ReadonlyArray<{ code: ErrorCode; exitCode: number; meaning: string }> = [
  { code: 'usage', exitCode: EXIT.usage, meaning: 'the command line, an answers file or saved answers are refused (unknown option, invalid value, incompatible options, --json with --help, --version, completion, upgrade, add or remove); nothing was written' },
  { code: 'target-not-empty', exitCode: EXIT.usage, meaning: 'the target directory has files and is not a project this generator made; pass --force or choose another directory; nothing was written' },
  { code: 'conflicting-files', exitCode: EXIT.usage, meaning: 'files on disk would be overwritten or removed (edited since generated, or not generated); `files.conflicting` lists them; pass --force; nothing was written' },
  { code: 'file-system', exitCode: EXIT.failure, meaning: 'the file system refused (permission, read-only, full disk, a file in the way); whatever the run had written was undone' },
  { code: 'post-write-failed', exitCode: EXIT.failure, meaning: 'the files are written and complete, but npm install or git failed; `steps` says which, `nextSteps` the commands left' },
  { code: 'interrupted', exitCode: EXIT.interrupted, meaning: 'SIGINT: nothing was written, or the files are complete and `error.message` lists the commands left' },
  { code: 'internal', exitCode: EXIT.failure, meaning: 'a bug in the generator; please report it with `error.message`' },
];

function answerSchema(option: OptionDeclaration): Record<string, unknown> {
  const description = option.help;
  if (option.type === 'boolean') return { type: 'boolean', description };
  if (option.type === 'number') return { type: 'number', description };
  if (option.type === 'choice') return { enum: (option.choices ?? []).map((choice) => choice.value), description };
  return { type: 'string', description };
}

const pathList = (description: string) => ({ description, type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true });

/** The schema as a JSON value. */
export function jsonOutputSchema(): Record<string, unknown> {
  const names = options.map((option) => option.name);
  const orNull = (schema: Record<string, unknown>) => ({ oneOf: [{ type: 'null' }, schema] });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://github.com/create-prodready-app/create-prodready-app/blob/main/docs/json-output.schema.json',
    title: 'create-prodready-app --json output',
    description:
      'The one JSON document `create-prodready-app --json` prints on stdout, for a successful run, a dry run or a failure. Every key is always present; null means the run stopped before that part was known.',
    type: 'object',
    additionalProperties: false,
    required: ['schemaVersion', 'version', 'exitCode', 'error', 'dryRun', 'target', 'answers', 'files', 'steps', 'nextSteps'],
    properties: {
      schemaVersion: { description: 'The version of this document shape; raised only when a field is removed or changes type.', const: JSON_SCHEMA_VERSION },
      version: { description: 'The generator version (semver).', type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+(?:[-+].+)?$' },
      exitCode: { description: 'The process exit code: 0 success, 1 failure, 2 refused input, 130 interrupted.', enum: [EXIT.ok, EXIT.failure, EXIT.usage, EXIT.interrupted] },
      error: orNull({ $ref: '#/$defs/error' }),
      dryRun: { description: 'True for --dry-run: `files` is the plan and nothing was written.', type: 'boolean' },
      target: { description: 'The absolute target directory, symbolic links resolved.', ...orNull({ type: 'string', minLength: 1 }) },
      answers: orNull({ $ref: '#/$defs/answers' }),
      files: orNull({ $ref: '#/$defs/files' }),
      steps: { description: 'The steps after writing, in the order they ran (empty for a dry run or a run that stopped before).', type: 'array', items: { $ref: '#/$defs/step' } },
      nextSteps: {
        description: 'The commands the human summary suggests, to run in order (the first changes into the project); empty when the run wrote nothing.',
        type: 'array',
        items: { type: 'string', minLength: 1 },
      },
    },
    allOf: [
      { if: { properties: { error: { type: 'null' } } }, then: { properties: { exitCode: { const: EXIT.ok } } } },
      ...ERROR_CODES.map(({ code, exitCode }) => ({
        if: { properties: { error: { type: 'object', properties: { code: { const: code } }, required: ['code'] } } },
        then: { properties: { exitCode: { const: exitCode } } },
      })),
    ],
    $defs: {
      error: {
        description: 'Why the run failed. `code` is stable; `message` is the text a person would read after "Error:".',
        type: 'object',
        additionalProperties: false,
        required: ['code', 'message'],
        properties: {
          code: { oneOf: ERROR_CODES.map(({ code, exitCode, meaning }) => ({ const: code, description: `Exit ${exitCode}: ${meaning}.` })) },
          message: { type: 'string', minLength: 1 },
        },
      },
      answers: {
        description: 'The resolved answers (every option), and which of them were chosen rather than defaulted.',
        type: 'object',
        additionalProperties: false,
        required: ['values', 'explicit'],
        properties: {
          values: {
            type: 'object',
            additionalProperties: false,
            required: names,
            properties: Object.fromEntries(options.map((option) => [option.name, answerSchema(option)])),
          },
          explicit: {
            description: 'Answers given by a flag, an answers file, the directory name or a saved explicit answer, in option order.',
            type: 'array',
            items: { enum: names },
            uniqueItems: true,
          },
        },
      },
      files: {
        description: 'Project-relative paths ("/" separated, sorted) by what the run does to them.',
        type: 'object',
        additionalProperties: false,
        required: ['created', 'changed', 'unchanged', 'removed', 'conflicting'],
        properties: {
          created: pathList('New files.'),
          changed: pathList('Files this generator wrote last time and that are updated.'),
          unchanged: pathList('Files whose content is already what the run writes.'),
          removed: pathList('Files the last run wrote, unedited, that these answers no longer produce.'),
          conflicting: pathList('Files edited since generated, not generated, or in the way: overwritten or removed only with --force; without it the run stopped with error code conflicting-files.'),
        },
      },
      step: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'outcome', 'durationMs', 'summary'],
        properties: {
          name: { description: 'install: npm install; git: git init, add and the initial commit.', enum: ['install', 'git'] },
          outcome: { description: 'skipped: by --skip-install or --skip-git, or nothing to do (git missing, already a git work tree).', enum: ['ok', 'failed', 'skipped'] },
          durationMs: { description: 'Wall-clock milliseconds (0 when skipped by a flag).', type: 'integer', minimum: 0 },
          summary: { description: 'The line the human summary prints for the step.', type: 'string', minLength: 1 },
        },
      },
    },
  };
}
