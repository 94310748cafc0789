/**
 * Reads what a previous run recorded in .yo-rc.json under this generator's key:
 * the answers, and the manifest of the files it wrote (path → sha256). Read and
 * validated before Yeoman touches the file, so a broken one is a plain error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './answers.ts';
import { asFileSystemError } from './fs-errors.ts';
import { ANSWERS_FILE, parseManifestLines, type Manifest } from './write-plan.ts';

/** The key of this generator's answers in .yo-rc.json. */
export const CONFIG_KEY = 'create-prodready-app';

/** Keys under CONFIG_KEY that are not answers. */
export const RECORD_KEYS = ['version', 'files'] as const;

export interface SavedProject {
  /** The saved answers, raw (validated later like any other source). */
  answers: Record<string, unknown>;
  /** The files the last run wrote; empty for a project generated before manifests were recorded. */
  files: Manifest;
  /** The generator version that wrote the project, as recorded; undefined when none is. */
  version?: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The saved project in `root`, or undefined when there is no .yo-rc.json.
 * Throws a FileSystemError (exit 1) when it cannot be read, and a UsageError
 * (exit 2) when it is not valid JSON or its entry is malformed. `display` is
 * the root as the user should read it.
 */
export function readSavedProject(root: string, display: string): SavedProject | undefined {
  const path = join(root, ANSWERS_FILE);
  const shown = `${display}/${ANSWERS_FILE}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    // ENOTDIR: the target is a file, which the target check reports in its own words.
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw asFileSystemError(error, 'read', shown);
  }
  const fix = 'Fix it (it records the answers this project was generated with), or move it away to generate from scratch.';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError([`${shown} is not valid JSON (${(error as Error).message}). ${fix}`]);
  }
  if (!isRecord(parsed)) throw new UsageError([`${shown} must hold a JSON object. ${fix}`]);
  const entry = parsed[CONFIG_KEY];
  if (entry === undefined) return { answers: {}, files: {} };
  if (!isRecord(entry)) throw new UsageError([`${shown}: "${CONFIG_KEY}" must be an object of answers. ${fix}`]);
  const recorded = entry.files ?? {};
  // sha256sum lines (manifestLines); the path → hash object is read too.
  const files = Array.isArray(recorded) ? parseManifestLines(recorded) : recorded;
  if (Array.isArray(recorded) && files === undefined) {
    throw new UsageError([`${shown}: "files" must list each generated file as "<sha256, 64 hex digits>  <path>". ${fix}`]);
  }
  if (!isRecord(files) || Object.values(files).some((hash) => typeof hash !== 'string' || !SHA256.test(hash))) {
    throw new UsageError([`${shown}: "files" must map each generated path to its sha256 (64 hex digits). ${fix}`]);
  }
  const answers = { ...entry };
  for (const key of RECORD_KEYS) delete answers[key];
  return { answers, files: files as Manifest, ...(typeof entry.version === 'string' ? { version: entry.version } : {}) };
}
