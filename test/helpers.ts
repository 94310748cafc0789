/** Shared helpers: run the real CLI in a scratch directory and look at what it wrote. */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { execa } from 'execa';
import { afterAll } from 'vitest';

export const repoRoot = join(import.meta.dirname, '..');
export const binPath = join(repoRoot, 'bin', 'create-prodready-app.js');

export function scratchDir(prefix = 'cpa-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A maker of scratch directories named `prefix…`, all removed after the test file's tests. */
export function workspaces(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => made.forEach(removeDir));
  return () => {
    const dir = scratchDir(prefix);
    made.push(dir);
    return dir;
  };
}

export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/** Every file under a directory, relative, sorted ("/" separators). */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.git' && entry.name !== 'node_modules') walk(path);
      } else out.push(relative(root, path).split('\\').join('/'));
    }
  };
  if (statSync(root, { throwIfNoEntry: false })?.isDirectory()) walk(root);
  return out.sort();
}

export function readTree(root: string): Record<string, string> {
  return Object.fromEntries(listFiles(root).map((path) => [path, readFileSync(join(root, path), 'utf8')]));
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the binary as a user would: a separate process, no TTY, NO_COLOR set. */
export async function runCli(args: readonly string[], cwd: string, env: Record<string, string> = {}, input?: string): Promise<CliRun> {
  const result = await execa(process.execPath, [binPath, ...args], {
    cwd,
    reject: false,
    env: { NO_COLOR: '1', ...env },
    input,
    stdin: input === undefined ? 'ignore' : undefined,
    timeout: 60_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/**
 * Everything under `root` (hidden files and .git included): path → "dir <mode>",
 * "file <mode> <sha256>" or "link -> <target>", so a test can assert a failed
 * run left the disk exactly as it was, down to stray temporary files.
 */
export function diskState(root: string): Record<string, string> {
  const state: Record<string, string> = {};
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      const key = relative(root, path);
      const stats = lstatSync(path);
      const mode = (stats.mode & 0o7777).toString(8);
      if (stats.isSymbolicLink()) state[key] = `link -> ${readlinkSync(path)}`;
      else if (stats.isDirectory()) {
        state[key] = `dir ${mode} ${stats.uid}:${stats.gid}`;
        walk(path);
      } else state[key] = `file ${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
    }
  };
  walk(root);
  return state;
}

/**
 * Packs this checkout as npm would publish it (`npm pack`, which builds the
 * bundle) into `destination` and returns the tarball's path. Packs a copy of
 * the tracked files: dist/ must never appear in the work tree while other
 * tests run the binary from the sources.
 */
export async function packCheckout(destination: string): Promise<{ tarball: string; files: string[] }> {
  const source = scratchDir('cpa-source-');
  try {
    const tracked = (await execa('git', ['ls-files', '-z'], { cwd: repoRoot })).stdout.split('\0').filter((path) => path !== '');
    for (const path of tracked) {
      if (!existsSync(join(repoRoot, path))) continue;
      mkdirSync(dirname(join(source, path)), { recursive: true });
      cpSync(join(repoRoot, path), join(source, path));
    }
    symlinkSync(join(repoRoot, 'node_modules'), join(source, 'node_modules'));
    const pack = await execa('npm', ['pack', '--json', '--pack-destination', destination], { cwd: source });
    const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    if (!info) throw new Error('npm pack printed no package');
    return { tarball: join(destination, info.filename), files: info.files.map((file) => file.path) };
  } finally {
    removeDir(source);
  }
}
