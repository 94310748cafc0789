/**
 * The matrix runner: renders every selected combination in-process, splits
 * each check's work into units keyed by content, runs each distinct unit once
 * (or takes its cached result), and gives every combination a verdict.
 *
 * Shards partition the work itself: the distinct units of every check (and the
 * invalid combinations), so n shards together do each piece of work exactly
 * once, whatever the number of combinations that share it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { Check, CheckContext, Finding } from './check.ts';
import { ResultCache, defaultCacheDir, defaultToolsDir } from './cache.ts';
import { onCleanup } from './cleanup.ts';
import { checkRejection, type RejectionResult } from './cli-rejects.ts';
import { loadChecks, validateChecks, type LoadedCheck } from './load-checks.ts';
import { Services } from './services.ts';
import { buildSpace, parseFilter, type AnswerRecord, type Combination, type InvalidCombination, type Space } from './space.ts';
import { variantFacts, type Facts } from './support/facts.ts';
import { runPool } from './support/pool.ts';
import { ContentStore, unitsOf, type Unit } from './units.ts';

export interface RenderResult {
  /** The answers the generator resolved (compared with the combination's). */
  answers: object;
  files: ReadonlyMap<string, string>;
  /**
   * Facts about the combination that checks may depend on (Check.facts). When
   * absent, the runner falls back to `variantFacts` of the resolved answers.
   */
  facts?: Readonly<Record<string, unknown>>;
}
export type RenderFunction = (answers: AnswerRecord) => Promise<RenderResult>;

export interface MatrixOptions {
  /** The combination space (default: built from the option model). */
  space?: Space;
  /** Renders one combination in memory (default: renderProject, the generator's own path). */
  render?: RenderFunction;
  /** The checks (default: every module in matrix/checks/). */
  checks?: readonly (Check | LoadedCheck)[];
  /** Only these checks ("cli-rejects" selects the CLI rejection of invalid combinations). */
  only?: readonly string[];
  /** Filter expressions (see parseFilter); a combination is selected when any matches. */
  filters?: readonly string[];
  shard?: { index: number; count: number };
  /** Concurrent check runs (default: the machine's available parallelism). */
  jobs?: number;
  /** Persistent cache directory; null for none (default: ~/.cache/prodready/matrix-cache). */
  cacheDir?: string | null;
  /** Ignore cached results (fresh results are still stored). */
  noCache?: boolean;
  /** Where the external tools are (bin/ goes first on PATH). */
  toolsDir?: string;
  /** Where report.json and summary.md go; null to write nothing (default: matrix/out). */
  outDir?: string | null;
  /** Progress lines (default: stdout). */
  log?: (line: string) => void;
  /** Show check logs. */
  verbose?: boolean;
  /** Start PostgreSQL and Redis up front, whether or not a check declares them. */
  startServices?: boolean;
}

export type Status = 'pass' | 'fail' | 'error' | 'n/a' | 'other-shard';

export interface UnitResult {
  status: 'pass' | 'fail' | 'error';
  findings: Finding[];
  cached: boolean;
  ms: number;
}

export interface CheckReport {
  name: string;
  module?: string;
  tool: string;
  granularity: 'project' | 'file';
  /** Distinct units (distinct inputs) over all selected combinations. */
  distinctInputs: number;
  /** Of those, the units this shard is responsible for. */
  inShard: number;
  hits: number;
  misses: number;
  /** run() calls (a batch is one call). */
  runs: number;
  /** Time spent in run(), summed over runs. */
  runMs: number;
  failed: number;
  errors: number;
  /** Combinations the check applies to. */
  combinations: number;
}

export interface FailureReport {
  check: string;
  status: 'fail' | 'error';
  /** The files the failing unit checked. */
  files: string[];
  findings: Finding[];
  /** Every selected combination that renders this unit. */
  combinations: string[];
  key?: string;
}

export interface CombinationReport {
  id: string;
  verdict: 'pass' | 'fail';
  answers: AnswerRecord;
  argv: string[];
  checks: Record<string, Status>;
  /** Indexes into Report.failures. */
  failures: number[];
}

export interface InvalidReport extends RejectionResult {
  verdict: 'pass' | 'fail';
}

export interface Report {
  verdict: 'pass' | 'fail';
  startedAt: string;
  wallMs: number;
  phases: { renderMs: number; cliMs: number; checksMs: number };
  shard: string;
  filters: string[];
  jobs: number;
  cacheDir: string | null;
  counts: {
    validCombinations: number;
    invalidCombinations: number;
    selectedValid: number;
    selectedInvalid: number;
    invalidInShard: number;
    distinctFiles: number;
    renderedFiles: number;
  };
  cache: { hits: number; misses: number; hitRatio: number };
  checks: CheckReport[];
  failures: FailureReport[];
  invalid: InvalidReport[];
  combinations: CombinationReport[];
}

interface UnitState {
  unit: Unit;
  loaded: LoadedCheck;
  combinations: number[];
  inShard: boolean;
  result?: UnitResult;
}

const DEFAULT_TIMEOUT_MS = 15 * 60_000;

function asLoaded(check: Check | LoadedCheck): LoadedCheck {
  return 'check' in check && 'run' in (check as LoadedCheck).check ? (check as LoadedCheck) : { check: check as Check };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function safePath(path: string): string {
  if (isAbsolute(path) || path.split('/').includes('..') || path === '') throw new Error(`Refusing to materialize path "${path}"`);
  return path;
}

function materialize(root: string, unit: Unit, store: ContentStore): void {
  for (const [path, hash] of unit.contents) {
    const target = join(root, safePath(path));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, store.get(hash));
  }
  for (const path of unit.presence) {
    if (path.endsWith('/')) {
      mkdirSync(join(root, safePath(path.slice(0, -1))), { recursive: true });
      continue;
    }
    const target = join(root, safePath(path));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, '', { flag: 'wx' });
  }
}

/** Terminal colour and cursor sequences that tools print: noise in a report. */
const ANSI_ESCAPE = /\u001b\[[0-9;?]*[A-Za-z]/g;

function validFindings(value: unknown, check: string): Finding[] {
  if (!Array.isArray(value) || !value.every((finding) => typeof finding === 'object' && finding !== null && typeof (finding as Finding).message === 'string')) {
    throw new Error(`check ${check} returned ${JSON.stringify(value)?.slice(0, 200)}, not a list of findings`);
  }
  return (value as Finding[]).map((finding) => ({ ...finding, message: finding.message.replace(ANSI_ESCAPE, '') }));
}

/** A finding's file relative to the run directory, "/"-separated. */
function normalizeFile(file: string | undefined, directory: string): string | undefined {
  if (file === undefined) return undefined;
  const relativeFile = isAbsolute(file) ? relative(directory, file) : file;
  return relativeFile.split(sep).join('/').replace(/^(\.\/)+/, '');
}

/** Splits a run's findings among its units: by "i/" prefix in a batch, all to the one unit otherwise. */
export function distributeFindings(findings: readonly Finding[], directory: string, units: number, batched: boolean): Finding[][] {
  const perUnit: Finding[][] = Array.from({ length: units }, () => []);
  for (const finding of findings) {
    const file = normalizeFile(finding.file, directory);
    const match = batched && file !== undefined ? /^(\d+)\/(.+)$/.exec(file) : null;
    const index = match ? Number(match[1]) : -1;
    if (match && index < units) perUnit[index]?.push({ ...finding, file: match[2] });
    else for (const list of perUnit) list.push(file === undefined ? { message: finding.message } : { ...finding, file });
  }
  return perUnit;
}

function answersMismatch(expected: AnswerRecord, resolved: object): string | undefined {
  const actual = resolved as Readonly<Record<string, unknown>>;
  const differing = Object.keys(expected).filter((name) => actual[name] !== expected[name]);
  if (differing.length === 0) return undefined;
  return `the generator resolved ${differing.map((name) => `${name}=${JSON.stringify(actual[name])} (the space has ${JSON.stringify(expected[name])})`).join(', ')}`;
}

class Progress {
  private last = performance.now();
  private readonly tty: boolean;
  private readonly log: (line: string) => void;
  private pending = false;

  constructor(log: (line: string) => void, tty: boolean) {
    this.log = log;
    this.tty = tty;
  }

  update(text: string, done: boolean): void {
    const now = performance.now();
    if (this.tty) {
      process.stdout.write(`\r\u001b[2K${text}`);
      this.pending = true;
      if (done) this.finish();
      return;
    }
    if (!done && now - this.last > 10_000) {
      this.last = now;
      this.log(text);
    }
  }

  finish(): void {
    if (this.tty && this.pending) process.stdout.write('\n');
    this.pending = false;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** What the options select: the checks, the combinations and this shard's share of the invalid ones. */
interface Plan {
  space: Space;
  checks: LoadedCheck[];
  runCli: boolean;
  shard: { index: number; count: number };
  jobs: number;
  cacheDir: string | null;
  valid: Combination[];
  invalid: InvalidCombination[];
  invalidInShard: InvalidCombination[];
}

/** One rendered combination: its files (path → content hash) and facts, or why it has none. */
interface Rendered {
  combination: Combination;
  files?: Map<string, string>;
  facts?: Facts;
  error?: string;
}

type Tools = Map<string, { tool: string; error?: string }>;

/** Every check's distinct units by key, and per combination (index into the rendered list) the unit keys of each check that applies. */
interface Collected {
  unitsByCheck: Map<string, Map<string, UnitState>>;
  keysOf: Map<string, string[]>[];
}

/** One run() call: a unit, or with `batch` several units of one check. */
interface Task {
  loaded: LoadedCheck;
  states: UnitState[];
}

type RunStats = Map<string, { runs: number; ms: number }>;

/**
 * Resolves the options into a plan: loads and validates the checks, applies
 * --checks, --filter and --shard. Throws on an unknown check name or a
 * filter that selects no combination (valid or invalid).
 */
async function plan(options: MatrixOptions): Promise<Plan> {
  const space = options.space ?? buildSpace();
  const loaded = (options.checks ?? (await loadChecks())).map(asLoaded);
  validateChecks(loaded);
  const known = new Set(['cli-rejects', ...loaded.map(({ check }) => check.name)]);
  for (const name of options.only ?? []) {
    if (!known.has(name)) throw new Error(`--checks: no check named "${name}" (checks: ${[...known].join(', ')})`);
  }
  const checks = options.only ? loaded.filter(({ check }) => options.only?.includes(check.name)) : loaded;
  const runCli = !options.only || options.only.includes('cli-rejects');
  const shard = options.shard ?? { index: 1, count: 1 };
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  const cacheDir = options.cacheDir === null ? null : (options.cacheDir ?? defaultCacheDir());
  const predicates = (options.filters ?? []).map((filter) => parseFilter(filter));
  const selected = (combination: { id: string; answers: AnswerRecord }) => predicates.length === 0 || predicates.some((predicate) => predicate(combination));
  const valid = space.valid.filter(selected);
  const invalid = runCli ? space.invalid.filter(selected) : [];
  if (valid.length === 0 && invalid.length === 0) throw new Error(`--filter ${(options.filters ?? []).join(' or ')} selects no combination (see --list)`);
  const invalidInShard = invalid.filter((_, index) => index % shard.count === shard.index - 1);
  return { space, checks, runCli, shard, jobs, cacheDir, valid, invalid, invalidInShard };
}

/**
 * Renders every selected combination in-process, in order; file contents go
 * into `store` once by hash. A render that throws, or resolves answers other
 * than the combination's, is recorded as that combination's error (never
 * thrown). Facts are the render result's, or the `variantFacts` fallback,
 * frozen.
 */
async function renderCombinations(valid: readonly Combination[], render: RenderFunction, store: ContentStore, progress: Progress): Promise<{ rendered: Rendered[]; renderedFiles: number }> {
  const rendered: Rendered[] = [];
  let renderedFiles = 0;
  for (const combination of valid) {
    try {
      const result = await render(combination.answers);
      const files = new Map<string, string>();
      for (const [path, content] of result.files) files.set(path, store.add(content));
      renderedFiles += files.size;
      const facts = Object.freeze({ ...(result.facts ?? variantFacts(result.answers as Readonly<Record<string, unknown>>)) });
      rendered.push({ combination, files, facts, error: answersMismatch(combination.answers, result.answers) });
    } catch (error) {
      rendered.push({ combination, error: `rendering failed: ${message(error)}` });
    }
    progress.update(`render: ${rendered.length}/${valid.length}`, rendered.length === valid.length);
  }
  return { rendered, renderedFiles };
}

/** Runs the real CLI on each invalid combination of this shard, one after another; each must be refused (see cli-rejects.ts). */
async function rejectInvalid(invalid: readonly InvalidCombination[]): Promise<InvalidReport[]> {
  const reports: InvalidReport[] = [];
  for (const combination of invalid) {
    const result = await checkRejection(combination);
    reports.push({ ...result, verdict: result.problems.length === 0 ? 'pass' : 'fail' });
  }
  return reports;
}

/** Each check's tool version (part of every key). A tool that cannot report one gets tool "unavailable" and an error that fails its check; nothing throws. */
async function toolVersions(checks: readonly LoadedCheck[], context: CheckContext): Promise<Tools> {
  const tools: Tools = new Map();
  for (const { check } of checks) {
    try {
      tools.set(check.name, { tool: await check.tool(context) });
    } catch (error) {
      tools.set(check.name, { tool: 'unavailable', error: `${check.name}: tool unavailable: ${message(error)}` });
    }
  }
  return tools;
}

/**
 * Splits every rendered combination into each check's units (with the
 * combination's facts, for checks that declare a projection), merging equal
 * keys across combinations, and marks the units this shard owns: each
 * check's distinct keys, sorted, dealt round-robin over the shards.
 */
function collectUnits(checks: readonly LoadedCheck[], tools: Tools, rendered: readonly Rendered[], shard: { index: number; count: number }, store: ContentStore): Collected {
  const unitsByCheck = new Map<string, Map<string, UnitState>>();
  const keysOf: Map<string, string[]>[] = rendered.map(() => new Map());
  for (const entry of checks) {
    const units = new Map<string, UnitState>();
    unitsByCheck.set(entry.check.name, units);
    const tool = (tools.get(entry.check.name) as { tool: string }).tool;
    rendered.forEach(({ files, facts }, index) => {
      if (!files) return;
      const keys: string[] = [];
      for (const unit of unitsOf(entry.check, tool, files, entry.code, facts, (hash) => store.get(hash))) {
        let state = units.get(unit.key);
        if (!state) {
          state = { unit, loaded: entry, combinations: [], inShard: false };
          units.set(unit.key, state);
        }
        state.combinations.push(index);
        keys.push(unit.key);
      }
      if (keys.length > 0) (keysOf[index] as Map<string, string[]>).set(entry.check.name, keys);
    });
    [...units.keys()].sort().forEach((key, index) => {
      (units.get(key) as UnitState).inShard = index % shard.count === shard.index - 1;
    });
  }
  return { unitsByCheck, keysOf };
}

/**
 * Gives this shard's units their cached result where there is one (or the
 * tool error of their check), and turns the rest into tasks, `batch` units
 * per task where the check allows. Whole-project checks (typically the slow
 * ones) come first, so they overlap with the many small runs.
 */
function readCache(checks: readonly LoadedCheck[], collected: Collected, tools: Tools, cache: ResultCache): Task[] {
  const tasks: Task[] = [];
  for (const entry of checks) {
    const states = [...(collected.unitsByCheck.get(entry.check.name) as Map<string, UnitState>).values()].filter((state) => state.inShard);
    const toolError = tools.get(entry.check.name)?.error;
    const misses: UnitState[] = [];
    for (const state of states) {
      if (toolError) {
        state.result = { status: 'error', findings: [{ message: toolError }], cached: false, ms: 0 };
        continue;
      }
      const hit = cache.get(state.unit.key);
      if (hit) state.result = { status: hit.findings.length > 0 ? 'fail' : 'pass', findings: hit.findings, cached: true, ms: hit.ms };
      else misses.push(state);
    }
    const size = entry.check.batch ?? 1;
    for (let start = 0; start < misses.length; start += size) tasks.push({ loaded: entry, states: misses.slice(start, start + size) });
  }
  tasks.sort((a, b) => Number((a.loaded.check.granularity ?? 'project') !== 'project') - Number((b.loaded.check.granularity ?? 'project') !== 'project'));
  return tasks;
}

/**
 * Runs the tasks, `jobs` at a time. Each gets a scratch directory under
 * `scratchRoot` with exactly its units' files (one subdirectory per unit in
 * a batch), the servers its check declares, `context.files` and, for one
 * unit, `context.facts`. Findings become results (pass or fail, cached); a
 * run that throws or exceeds its timeout is an error for all its units and
 * is not cached. Never throws for a failing check. Returns runs and run time
 * per check.
 */
async function runTasks(
  tasks: readonly Task[],
  run: { jobs: number; scratchRoot: string; store: ContentStore; services: Services; context: CheckContext; cache: ResultCache; tools: Tools; progress: Progress; started: number },
): Promise<RunStats> {
  const totalUnits = tasks.reduce((sum, task) => sum + task.states.length, 0);
  let doneUnits = 0;
  let doneRuns = 0;
  const runsByCheck: RunStats = new Map();
  const execute = async (task: Task): Promise<void> => {
    const { check } = task.loaded;
    const batched = check.batch !== undefined;
    const directory = mkdtempSync(join(run.scratchRoot, `${check.name}-`));
    const runStarted = performance.now();
    try {
      const urls = check.services?.length ? await run.services.ensure(check.services) : {};
      const files: string[] = [];
      task.states.forEach((state, index) => {
        const prefix = batched ? `${index}/` : '';
        materialize(join(directory, prefix), state.unit, run.store);
        files.push(...state.unit.checked.map((path) => `${prefix}${path}`));
      });
      const facts = check.facts ? { facts: task.states[0]?.unit.facts } : {};
      const findings = validFindings(
        await withTimeout(check.run(directory, { ...run.context, ...urls, files, ...facts }), check.timeoutMs ?? DEFAULT_TIMEOUT_MS, `${check.name}`),
        check.name,
      );
      const ms = performance.now() - runStarted;
      distributeFindings(findings, directory, task.states.length, batched).forEach((unitFindings, index) => {
        const state = task.states[index] as UnitState;
        state.result = { status: unitFindings.length > 0 ? 'fail' : 'pass', findings: unitFindings, cached: false, ms: ms / task.states.length };
        run.cache.put(state.unit.key, { check: check.name, tool: (run.tools.get(check.name) as { tool: string }).tool, findings: unitFindings, ms: state.result.ms, checked: [...state.unit.checked] });
      });
    } catch (error) {
      const ms = performance.now() - runStarted;
      for (const state of task.states) state.result = { status: 'error', findings: [{ message: `could not run: ${message(error)}` }], cached: false, ms };
    } finally {
      rmSync(directory, { recursive: true, force: true });
      const stats = runsByCheck.get(check.name) ?? { runs: 0, ms: 0 };
      stats.runs += 1;
      stats.ms += performance.now() - runStarted;
      runsByCheck.set(check.name, stats);
      doneRuns += 1;
      doneUnits += task.states.length;
      run.progress.update(`checks: ${doneUnits}/${totalUnits} units to run, ${doneRuns}/${tasks.length} runs, ${seconds(performance.now() - run.started)}`, doneRuns === tasks.length);
    }
  };
  // Identical keys were merged when the units were collected (one UnitState per key), so each runs once.
  await runPool(tasks, run.jobs, execute);
  run.progress.finish();
  return runsByCheck;
}

/**
 * The verdicts: every failing or erroring unit of this shard becomes one
 * failure naming all combinations that render it; each combination gets a
 * status per check (render, then the checks: fail over error over
 * other-shard over pass; n/a where no file matched) and a verdict; invalid
 * combinations the CLI did not refuse are failures too.
 */
function verdicts(checks: readonly LoadedCheck[], collected: Collected, rendered: readonly Rendered[], invalidReports: readonly InvalidReport[]): { failures: FailureReport[]; combinations: CombinationReport[] } {
  const failures: FailureReport[] = [];
  const failureIndex = new Map<UnitState, number>();
  for (const entry of checks) {
    for (const state of (collected.unitsByCheck.get(entry.check.name) as Map<string, UnitState>).values()) {
      if (!state.result || state.result.status === 'pass') continue;
      failureIndex.set(state, failures.length);
      failures.push({
        check: entry.check.name,
        status: state.result.status,
        files: [...state.unit.checked],
        findings: state.result.findings,
        combinations: state.combinations.map((index) => (rendered[index] as Rendered).combination.id),
        key: state.unit.key,
      });
    }
  }
  const combinations: CombinationReport[] = rendered.map(({ combination, error }, index) => {
    const statuses: Record<string, Status> = {};
    const failureRefs: number[] = [];
    if (error) {
      statuses.render = 'error';
      failureRefs.push(failures.length);
      failures.push({ check: 'render', status: 'error', files: [], findings: [{ message: error }], combinations: [combination.id] });
    } else statuses.render = 'pass';
    for (const entry of checks) {
      const keys = (collected.keysOf[index] as Map<string, string[]>).get(entry.check.name);
      if (!keys) {
        statuses[entry.check.name] = error ? 'error' : 'n/a';
        continue;
      }
      const states = keys.map((key) => (collected.unitsByCheck.get(entry.check.name) as Map<string, UnitState>).get(key) as UnitState).filter((state) => state.inShard);
      for (const state of states) {
        const ref = failureIndex.get(state);
        if (ref !== undefined) failureRefs.push(ref);
      }
      const found = new Set(states.map((state) => state.result?.status ?? 'error'));
      statuses[entry.check.name] = found.has('fail') ? 'fail' : found.has('error') ? 'error' : states.length === 0 ? 'other-shard' : 'pass';
    }
    const verdict = Object.values(statuses).some((status) => status === 'fail' || status === 'error') ? 'fail' : 'pass';
    return { id: combination.id, verdict, answers: combination.answers, argv: combination.argv, checks: statuses, failures: [...new Set(failureRefs)].sort((a, b) => a - b) };
  });
  for (const report of invalidReports) {
    if (report.verdict === 'fail') failures.push({ check: 'cli-rejects', status: 'fail', files: [], findings: report.problems.map((problem) => ({ message: problem })), combinations: [report.id] });
  }
  return { failures, combinations };
}

/** Per check: distinct inputs, this shard's share, cache hits and misses, runs, run time, failures and errors, combinations it applies to. */
function checkReports(checks: readonly LoadedCheck[], collected: Collected, tools: Tools, runsByCheck: RunStats): CheckReport[] {
  return checks.map((entry) => {
    const states = [...(collected.unitsByCheck.get(entry.check.name) as Map<string, UnitState>).values()];
    const inShard = states.filter((state) => state.inShard);
    const stats = runsByCheck.get(entry.check.name) ?? { runs: 0, ms: 0 };
    return {
      name: entry.check.name,
      module: entry.module,
      tool: (tools.get(entry.check.name) as { tool: string }).tool,
      granularity: entry.check.granularity ?? 'project',
      distinctInputs: states.length,
      inShard: inShard.length,
      hits: inShard.filter((state) => state.result?.cached).length,
      misses: inShard.filter((state) => state.result && !state.result.cached).length,
      runs: stats.runs,
      runMs: stats.ms,
      failed: inShard.filter((state) => state.result?.status === 'fail').length,
      errors: inShard.filter((state) => state.result?.status === 'error').length,
      combinations: collected.keysOf.filter((keys) => keys.has(entry.check.name)).length,
    };
  });
}

/** Assembles the report (see Report); the verdict is fail when there is any failure. */
function buildReport(parts: {
  plan: Plan;
  options: MatrixOptions;
  startedAt: Date;
  started: number;
  phases: Report['phases'];
  store: ContentStore;
  renderedFiles: number;
  checks: CheckReport[];
  failures: FailureReport[];
  invalid: InvalidReport[];
  combinations: CombinationReport[];
}): Report {
  const { plan: selected } = parts;
  const hits = parts.checks.reduce((sum, report) => sum + report.hits, 0);
  const misses = parts.checks.reduce((sum, report) => sum + report.misses, 0);
  return {
    verdict: parts.failures.length > 0 ? 'fail' : 'pass',
    startedAt: parts.startedAt.toISOString(),
    wallMs: performance.now() - parts.started,
    phases: parts.phases,
    shard: `${selected.shard.index}/${selected.shard.count}`,
    filters: [...(parts.options.filters ?? [])],
    jobs: selected.jobs,
    cacheDir: selected.cacheDir,
    counts: {
      validCombinations: selected.space.valid.length,
      invalidCombinations: selected.space.invalid.length,
      selectedValid: selected.valid.length,
      selectedInvalid: selected.invalid.length,
      invalidInShard: selected.invalidInShard.length,
      distinctFiles: parts.store.size,
      renderedFiles: parts.renderedFiles,
    },
    cache: { hits, misses, hitRatio: hits + misses === 0 ? 1 : hits / (hits + misses) },
    checks: parts.checks,
    failures: parts.failures,
    invalid: parts.invalid,
    combinations: parts.combinations,
  };
}

/**
 * Runs the matrix: plan, render, reject invalid combinations, tool versions,
 * collect units, read the cache, run the rest, verdicts, report. Throws only
 * for bad options (see `plan`); failing checks are in the report. Servers and
 * scratch files are removed however it ends.
 */
export async function runMatrix(options: MatrixOptions = {}): Promise<Report> {
  const startedAt = new Date();
  const started = performance.now();
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const progress = new Progress(log, options.log === undefined && process.stdout.isTTY === true);
  const toolsDir = options.toolsDir ?? defaultToolsDir();
  const toolsBin = join(toolsDir, 'bin');
  if (!(process.env.PATH ?? '').split(delimiter).includes(toolsBin)) process.env.PATH = `${toolsBin}${delimiter}${process.env.PATH ?? ''}`;

  const selected = await plan(options);
  const { checks, shard, jobs, cacheDir } = selected;
  const cache = new ResultCache(cacheDir ?? undefined, !options.noCache);
  log(
    `matrix: ${selected.valid.length} of ${selected.space.valid.length} valid combinations, ${selected.invalid.length} of ${selected.space.invalid.length} invalid; ` +
      `checks: ${checks.map(({ check }) => check.name).join(', ') || 'none'}; shard ${shard.index}/${shard.count}; ${jobs} jobs; cache ${cacheDir ?? 'off'}${options.noCache ? ' (not read)' : ''}`,
  );

  const scratchRoot = mkdtempSync(join(tmpdir(), 'prodready-matrix-'));
  const removeScratch = onCleanup(
    async () => rmSync(scratchRoot, { recursive: true, force: true }),
    () => rmSync(scratchRoot, { recursive: true, force: true }),
  );
  const services = new Services();
  const context: CheckContext = { toolsDir, log: options.verbose ? (line) => log(`  ${line}`) : () => {} };

  try {
    const renderStarted = performance.now();
    const render = options.render ?? (await import('../generators/app/render.ts')).renderProject;
    const store = new ContentStore();
    const { rendered, renderedFiles } = await renderCombinations(selected.valid, render, store, progress);
    const renderMs = performance.now() - renderStarted;
    log(`render: ${selected.valid.length} combinations in ${seconds(renderMs)} (${(renderMs / Math.max(1, selected.valid.length)).toFixed(1)} ms each), ${renderedFiles} files, ${store.size} distinct contents`);

    const cliStarted = performance.now();
    const invalidReports = await rejectInvalid(selected.invalidInShard);
    const cliMs = performance.now() - cliStarted;
    if (selected.runCli) log(`cli-rejects: ${invalidReports.filter((report) => report.verdict === 'pass').length}/${invalidReports.length} invalid combinations refused in ${seconds(cliMs)}`);

    const checksStarted = performance.now();
    const tools = await toolVersions(checks, context);
    const collected = collectUnits(checks, tools, rendered, shard, store);
    const tasks = readCache(checks, collected, tools, cache);
    if (options.startServices) await services.ensure(['postgres', 'redis']);
    const runsByCheck = await runTasks(tasks, { jobs, scratchRoot, store, services, context, cache, tools, progress, started: checksStarted });
    const checksMs = performance.now() - checksStarted;

    const { failures, combinations } = verdicts(checks, collected, rendered, invalidReports);
    return buildReport({
      plan: selected,
      options,
      startedAt,
      started,
      phases: { renderMs, cliMs, checksMs },
      store,
      renderedFiles,
      checks: checkReports(checks, collected, tools, runsByCheck),
      failures,
      invalid: invalidReports,
      combinations,
    });
  } finally {
    await services.stopAll();
    await removeScratch();
  }
}
