/**
 * A check validates generated files with a real tool. Its result is cached by
 * the content hash of the files it reads plus the tool's version, so identical
 * inputs are checked once however many combinations share them.
 */
export interface Finding {
  /** Project-relative file the finding is about, when there is one. */
  file?: string;
  message: string;
}

export interface CheckContext {
  /** A running PostgreSQL server for tests (postgres://user:pass@127.0.0.1:port/db), when the runner started one. */
  postgresUrl?: string;
  /** A running Redis server (redis://127.0.0.1:port), when the runner started one. */
  redisUrl?: string;
  /** Directory with the installed external tools (bin/ inside it is on PATH for checks). */
  toolsDir: string;
  /** Progress output for long checks; shown in verbose runs only. */
  log(message: string): void;
}

export interface Check {
  name: string;
  /** Globs (node:path matchesGlob syntax) of the generated files whose content determines the result. */
  inputs: readonly string[];
  /** Files matching these globs are left out even when `inputs` match them. */
  exclude?: readonly string[];
  /** The tool and its version, e.g. "kubeconform 0.7.0"; part of the cache key. */
  tool(context: CheckContext): Promise<string>;
  /**
   * Runs on a scratch directory that holds exactly the input files of one
   * combination. Returns findings; an empty list means the check passed.
   */
  run(directory: string, context: CheckContext): Promise<Finding[]>;
}
