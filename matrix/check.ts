/**
 * A check validates generated files with a real tool. Its result is cached by
 * the content hash of the files it reads plus the tool's version, so identical
 * inputs are checked once however many combinations share them.
 *
 * Every module in matrix/checks/ is loaded by the runner: it exports its check
 * as the default export (or an array of checks, or named exports that are
 * checks). Adding a check is adding one file there.
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
  /**
   * The files this run is about, relative to the run's directory: every input
   * file for a `project` check, the checked file(s) for a `file` check (not its
   * `shared` or `presence` files). Set by the runner for every run.
   */
  files?: readonly string[];
  /**
   * The check's projection of the combination's facts (what `Check.facts`
   * returned), when the check declares one. Set by the runner for every run.
   */
  facts?: unknown;
}

export interface Check {
  name: string;
  /**
   * Globs (picomatch syntax, matched by matrix/support/glob.ts) of the
   * generated files whose content determines the result. `*` and `**` also
   * match names that start with a dot (.github/, .env.example).
   */
  inputs: readonly string[];
  /**
   * The combinations this check applies to, from their facts (default: all
   * that have its inputs). For slow checks that prove something once per
   * distinct file on a representative combination, because every other
   * combination is proven the same way elsewhere (the GitLab test job runs on
   * one app variant; service-proof runs every variant's tests; the alert drill
   * runs on the one variant whose 5xx answers come from a database outage).
   */
  when?: (facts: Readonly<Record<string, unknown>>) => boolean;
  /** Files matching these globs are left out even when `inputs` match them. */
  exclude?: readonly string[];
  /** The tool and its version, e.g. "kubeconform 0.7.0"; part of the cache key. */
  tool(context: CheckContext): Promise<string>;
  /**
   * Runs on a scratch directory that holds exactly the input files of one
   * combination. Returns findings; an empty list means the check passed.
   * Throwing means the check could not run (a tool crash, a timeout): the
   * runner reports it as an error and never caches it.
   */
  run(directory: string, context: CheckContext): Promise<Finding[]>;
  /**
   * What one cached result covers. `project` (the default): all input files of
   * a combination together (for tools that look at files in relation, such as
   * kustomize or a test suite). `file`: each input file on its own, with the
   * `shared` files beside it, so a file that many combinations render
   * identically is checked once.
   */
  granularity?: 'project' | 'file';
  /** With `file` granularity: files every unit also gets (configuration such as .editorconfig); part of the key. */
  shared?: readonly string[];
  /**
   * Globs of generated files whose presence, not content, determines the result
   * (link targets, for example). Their sorted paths are part of the key and they
   * are materialized as empty files unless they are also inputs.
   */
  presence?: readonly string[];
  /**
   * With `file` granularity, instead of `presence`: the project-relative paths
   * whose presence decides this file's result, derived from its path and
   * content (its link targets, say). The key then holds each named path with
   * whether the combination has it, as a file or as a directory holding
   * generated files, and only the present ones are materialized (files empty,
   * directories empty). Paths outside the project are dropped.
   */
  presenceOf?: (path: string, content: string) => readonly string[];
  /**
   * Globs of which at least one generated file must match for the check to
   * apply to a combination (default: any input). For checks that also read
   * files every project has, such as the Dockerfile beside the manifests.
   */
  appliesTo?: readonly string[];
  /**
   * Up to this many units share one run(), for tools whose start-up costs
   * more than their work (a per-file check, or a whole-project one such as
   * checkov). The run's directory then holds one subdirectory per unit ("0",
   * "1", ...), each laid out as a project, `context.files` names the checked
   * files with their subdirectory ("3/README.md"), and findings must name
   * `file` the same way; a finding without `file` applies to every unit of
   * the run.
   */
  batch?: number;
  /** Throwaway servers the check needs; the runner starts them before the first run that needs them. */
  services?: readonly ('postgres' | 'redis')[];
  /**
   * The facts of the combination this check depends on: a projection of the
   * frozen facts object that comes with each render (e.g. `{ hasPostgres }`).
   * Its JSON (keys sorted) is part of the unit key, and it is passed to `run`
   * as `context.facts`. Not allowed together with `batch`.
   */
  facts?: (facts: Readonly<Record<string, unknown>>) => unknown;
  /** Longest one run may take, in milliseconds (default 15 minutes); a run over it is an error. */
  timeoutMs?: number;
}
