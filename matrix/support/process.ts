/**
 * Running programs, all through execa: one-shot commands with a timeout
 * (`run`, `runTool`, `runSync`), long-running servers (`startProcess`), and
 * finding a program on PATH.
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { execa, execaSync, type ResultPromise } from 'execa';

export interface RunOptions {
  cwd?: string;
  /** The environment: exactly this, unless `extendEnv` (then added to process.env). Default: process.env. */
  env?: NodeJS.ProcessEnv | Record<string, string>;
  /** Default: true without `env`, false with it. */
  extendEnv?: boolean;
  /** Kill the command (SIGTERM) after this long; default 10 minutes. */
  timeoutMs?: number;
  /** Run as this user (the caller must be root). */
  uid?: number;
  gid?: number;
}

export interface RunResult {
  /** The exit code; undefined when the command could not start, timed out or was killed by a signal. */
  code: number | undefined;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved. */
  all: string;
  timedOut: boolean;
  signal?: string;
  /** Why the command did not exit by itself (could not start, timed out, signal), when it did not. */
  failure?: string;
}

/** Runs a command to completion; never throws for a failing command (see RunResult). */
export async function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await execa(command, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: options.extendEnv ?? options.env === undefined,
    timeout: options.timeoutMs ?? 600_000,
    uid: options.uid,
    gid: options.gid,
    stdin: 'ignore',
    all: true,
    reject: false,
    stripFinalNewline: false,
    maxBuffer: 256 * 1024 * 1024,
  });
  const code = typeof result.exitCode === 'number' ? result.exitCode : undefined;
  return {
    code,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    all: String(result.all ?? ''),
    timedOut: result.timedOut,
    signal: result.signal,
    failure: code === undefined ? (result.timedOut ? `timed out after ${(options.timeoutMs ?? 600_000) / 1000} s` : (result.shortMessage ?? result.message)) : undefined,
  };
}

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs an external tool (found on PATH, which the runner starts with the tools
 * directory). A tool that cannot be started, times out or is killed throws; a
 * non-zero exit is returned.
 */
export async function runTool(command: string, args: readonly string[], options: RunOptions = {}): Promise<ToolRun> {
  const result = await run(command, args, options);
  if (result.code === undefined) {
    throw new Error(`${command} could not run: ${result.failure}${/ENOENT/.test(result.failure ?? '') ? ' (run bash matrix/tools/install.sh)' : ''}`);
  }
  return { code: result.code, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a command and returns its trimmed stdout; throws with its output unless it exits 0. */
export async function runChecked(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${[command, ...args].join(' ')} failed (${result.failure ?? `exit ${result.code}`}):\n${tail(result.all, 20)}`);
  return result.stdout.trim();
}

/** Runs a command synchronously, output ignored; throws (with stderr) unless it exits 0. */
export function runSync(command: string, args: readonly string[]): void {
  execaSync(command, args, { stdin: 'ignore', stdout: 'ignore', stderr: 'pipe' });
}

export interface StartOptions {
  cwd?: string;
  /** Exactly the environment of the process (nothing is inherited). */
  env: NodeJS.ProcessEnv | Record<string, string>;
  /** Where stdout and stderr go: 'pipe' (read them from `subprocess`), 'ignore', or an open file descriptor. */
  output: 'pipe' | 'ignore' | number;
  uid?: number;
  gid?: number;
}

/**
 * Starts a long-running process (a server, a container). It is not buffered,
 * not killed on a timeout and never rejects: the caller watches `child` (the
 * Node.js ChildProcess) and stops it.
 */
export function startProcess(command: string, args: readonly string[], options: StartOptions): { subprocess: ResultPromise; child: ChildProcess } {
  // A file descriptor is handed to the process as it is, not piped through this one (execa's types only name 3 to 9).
  const output = (typeof options.output === 'number' ? { value: options.output } : options.output) as unknown as 'pipe';
  const subprocess = execa(command, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    uid: options.uid,
    gid: options.gid,
    stdin: 'ignore',
    stdout: output,
    stderr: output,
    buffer: false,
    reject: false,
    // The caller owns the process's lifetime (stop, kill on exit), as with child_process.spawn.
    forceKillAfterDelay: false,
    cleanup: false,
  });
  return { subprocess, child: subprocess.nodeChildProcess };
}

/**
 * A program from PATH, or for PostgreSQL from Debian's versioned directory.
 * `resolveLinks` for programs run as another user, who may not be able to read
 * the tools directory (not for multi-call programs such as redis-server).
 */
export function findProgram(name: string, resolveLinks = false): string {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(directory, name);
    if (directory && existsSync(candidate)) return resolveLinks ? realpathSync(candidate) : candidate;
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const version of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) {
      const candidate = join(debian, version, 'bin', name);
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new Error(`${name} not found on PATH (run bash matrix/tools/install.sh)`);
}

/** The last lines of a text. */
export function tail(text: string, lines = 60): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
