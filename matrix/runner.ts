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
import { runPool } from './pool.ts';
import { Services } from './services.ts';
import { buildSpace, parseFilter, type AnswerRecord, type Combination, type Space } from './space.ts';
import { ContentStore, unitsOf, type Unit } from './units.ts';

export interface RenderResult {
  /** The answers the generator resolved (compared with the combination's). */
  answers: object;
  files: ReadonlyMap<string, string>;
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

export async function runMatrix(options: MatrixOptions = {}): Promise<Report> {
  const startedAt = new Date();
  const started = performance.now();
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const progress = new Progress(log, options.log === undefined && process.stdout.isTTY === true);
  const toolsDir = options.toolsDir ?? defaultToolsDir();
  const toolsBin = join(toolsDir, 'bin');
  if (!(process.env.PATH ?? '').split(delimiter).includes(toolsBin)) process.env.PATH = `${toolsBin}${delimiter}${process.env.PATH ?? ''}`;

  const space = options.space ?? buildSpace();
  const loaded = (options.checks ?? (await loadChecks())).map(asLoaded);
  validateChecks(loaded);
  const known = new Set(['cli-rejects', ...loaded.map(({ check }) => check.name)]);
  for (const name of options.only ?? []) {
    if (!known.has(name)) throw new Error(`--checks: no check named "${name}" (checks: ${[...known].join(', ')})`);
  }
  const selectedChecks = options.only ? loaded.filter(({ check }) => options.only?.includes(check.name)) : loaded;
  const runCli = !options.only || options.only.includes('cli-rejects');
  const shard = options.shard ?? { index: 1, count: 1 };
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  const cacheDir = options.cacheDir === null ? null : (options.cacheDir ?? defaultCacheDir());
  const cache = new ResultCache(cacheDir ?? undefined, !options.noCache);

  const predicates = (options.filters ?? []).map((filter) => parseFilter(filter));
  const selected = (combination: { id: string; answers: AnswerRecord }) => predicates.length === 0 || predicates.some((predicate) => predicate(combination));
  const valid = space.valid.filter(selected);
  const invalid = runCli ? space.invalid.filter(selected) : [];
  if (valid.length === 0 && invalid.length === 0) throw new Error(`--filter ${(options.filters ?? []).join(' or ')} selects no combination (see --list)`);
  const invalidInShard = invalid.filter((_, index) => index % shard.count === shard.index - 1);
  log(
    `matrix: ${valid.length} of ${space.valid.length} valid combinations, ${invalid.length} of ${space.invalid.length} invalid; ` +
      `checks: ${selectedChecks.map(({ check }) => check.name).join(', ') || 'none'}; shard ${shard.index}/${shard.count}; ${jobs} jobs; cache ${cacheDir ?? 'off'}${options.noCache ? ' (not read)' : ''}`,
  );

  const scratchRoot = mkdtempSync(join(tmpdir(), 'prodready-matrix-'));
  const removeScratch = onCleanup(
    async () => rmSync(scratchRoot, { recursive: true, force: true }),
    () => rmSync(scratchRoot, { recursive: true, force: true }),
  );
  const services = new Services();
  const context: CheckContext = { toolsDir, log: options.verbose ? (line) => log(`  ${line}`) : () => {} };

  try {
    // 1. Render every selected combination in-process; file contents are stored once by hash.
    const renderStarted = performance.now();
    const render = options.render ?? (await import('../generators/app/render.ts')).renderProject;
    const store = new ContentStore();
    const rendered: { combination: Combination; files?: Map<string, string>; error?: string }[] = [];
    let renderedFiles = 0;
    for (const combination of valid) {
      try {
        const result = await render(combination.answers);
        const files = new Map<string, string>();
        for (const [path, content] of result.files) files.set(path, store.add(content));
        renderedFiles += files.size;
        rendered.push({ combination, files, error: answersMismatch(combination.answers, result.answers) });
      } catch (error) {
        rendered.push({ combination, error: `rendering failed: ${message(error)}` });
      }
      progress.update(`render: ${rendered.length}/${valid.length}`, rendered.length === valid.length);
    }
    const renderMs = performance.now() - renderStarted;
    log(`render: ${valid.length} combinations in ${seconds(renderMs)} (${(renderMs / Math.max(1, valid.length)).toFixed(1)} ms each), ${renderedFiles} files, ${store.size} distinct contents`);

    // 2. The CLI refuses every invalid combination.
    const cliStarted = performance.now();
    const invalidReports: InvalidReport[] = [];
    for (const combination of invalidInShard) {
      const result = await checkRejection(combination);
      invalidReports.push({ ...result, verdict: result.problems.length === 0 ? 'pass' : 'fail' });
    }
    const cliMs = performance.now() - cliStarted;
    if (runCli) log(`cli-rejects: ${invalidReports.filter((report) => report.verdict === 'pass').length}/${invalidReports.length} invalid combinations refused in ${seconds(cliMs)}`);

    // 3. Tool versions (part of every key); a tool that cannot report one fails its check.
    const checksStarted = performance.now();
    const tools = new Map<string, { tool: string; error?: string }>();
    for (const { check } of selectedChecks) {
      try {
        tools.set(check.name, { tool: await check.tool(context) });
      } catch (error) {
        tools.set(check.name, { tool: 'unavailable', error: `${check.name}: tool unavailable: ${message(error)}` });
      }
    }

    // 4. Units: each check's work, deduplicated by key across combinations.
    const unitsByCheck = new Map<string, Map<string, UnitState>>();
    const keysOf: Map<string, string[]>[] = rendered.map(() => new Map());
    for (const entry of selectedChecks) {
      const units = new Map<string, UnitState>();
      unitsByCheck.set(entry.check.name, units);
      const tool = (tools.get(entry.check.name) as { tool: string }).tool;
      rendered.forEach(({ files }, index) => {
        if (!files) return;
        const keys: string[] = [];
        for (const unit of unitsOf(entry.check, tool, files, entry.code)) {
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
      // Shard by key: each check's distinct units are dealt round-robin, so every shard gets a share of every check.
      [...units.keys()].sort().forEach((key, index) => {
        (units.get(key) as UnitState).inShard = index % shard.count === shard.index - 1;
      });
    }

    // 5. Cached results; the rest become runs (batched where the check allows).
    const tasks: { loaded: LoadedCheck; states: UnitState[] }[] = [];
    for (const entry of selectedChecks) {
      const states = [...(unitsByCheck.get(entry.check.name) as Map<string, UnitState>).values()].filter((state) => state.inShard);
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
    // Whole-project checks (typically the slow ones) first, so they overlap with the many small runs.
    tasks.sort((a, b) => Number((a.loaded.check.granularity ?? 'project') !== 'project') - Number((b.loaded.check.granularity ?? 'project') !== 'project'));
    if (options.startServices) await services.ensure(['postgres', 'redis']);

    const totalUnits = tasks.reduce((sum, task) => sum + task.states.length, 0);
    let doneUnits = 0;
    let doneRuns = 0;
    const runsByCheck = new Map<string, { runs: number; ms: number }>();
    const execute = async (task: { loaded: LoadedCheck; states: UnitState[] }): Promise<void> => {
      const { check } = task.loaded;
      const batched = check.batch !== undefined;
      const directory = mkdtempSync(join(scratchRoot, `${check.name}-`));
      const runStarted = performance.now();
      try {
        const urls = check.services?.length ? await services.ensure(check.services) : {};
        const files: string[] = [];
        task.states.forEach((state, index) => {
          const prefix = batched ? `${index}/` : '';
          materialize(join(directory, prefix), state.unit, store);
          files.push(...state.unit.checked.map((path) => `${prefix}${path}`));
        });
        const findings = validFindings(
          await withTimeout(check.run(directory, { ...context, ...urls, files }), check.timeoutMs ?? DEFAULT_TIMEOUT_MS, `${check.name}`),
          check.name,
        );
        const ms = performance.now() - runStarted;
        distributeFindings(findings, directory, task.states.length, batched).forEach((unitFindings, index) => {
          const state = task.states[index] as UnitState;
          state.result = { status: unitFindings.length > 0 ? 'fail' : 'pass', findings: unitFindings, cached: false, ms: ms / task.states.length };
          cache.put(state.unit.key, { check: check.name, tool: (tools.get(check.name) as { tool: string }).tool, findings: unitFindings, ms: state.result.ms, checked: [...state.unit.checked] });
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
        progress.update(`checks: ${doneUnits}/${totalUnits} units to run, ${doneRuns}/${tasks.length} runs, ${seconds(performance.now() - checksStarted)}`, doneRuns === tasks.length);
      }
    };
    // Identical keys were merged when the units were collected (one UnitState per key), so each runs once.
    await runPool(tasks, jobs, execute);
    progress.finish();
    const checksMs = performance.now() - checksStarted;

    // 6. Verdicts.
    const failures: FailureReport[] = [];
    const failureIndex = new Map<UnitState, number>();
    for (const entry of selectedChecks) {
      for (const state of (unitsByCheck.get(entry.check.name) as Map<string, UnitState>).values()) {
        if (!state.result || state.result.status === 'pass') continue;
        failureIndex.set(state, failures.length);
        failures.push({
          check: entry.check.name,
          status: state.result.status,
          files: [...state.unit.checked],
          findings: state.result.findings,
          combinations: state.combinations.map((index) => (rendered[index] as { combination: Combination }).combination.id),
          key: state.unit.key,
        });
      }
    }
    const combinations: CombinationReport[] = rendered.map(({ combination, error }, index) => {
      const checks: Record<string, Status> = {};
      const failureRefs: number[] = [];
      if (error) {
        checks.render = 'error';
        failureRefs.push(failures.length);
        failures.push({ check: 'render', status: 'error', files: [], findings: [{ message: error }], combinations: [combination.id] });
      } else checks.render = 'pass';
      for (const entry of selectedChecks) {
        const keys = (keysOf[index] as Map<string, string[]>).get(entry.check.name);
        if (!keys) {
          checks[entry.check.name] = error ? 'error' : 'n/a';
          continue;
        }
        const states = keys.map((key) => (unitsByCheck.get(entry.check.name) as Map<string, UnitState>).get(key) as UnitState).filter((state) => state.inShard);
        for (const state of states) {
          const ref = failureIndex.get(state);
          if (ref !== undefined) failureRefs.push(ref);
        }
        const statuses = new Set(states.map((state) => state.result?.status ?? 'error'));
        checks[entry.check.name] = statuses.has('fail') ? 'fail' : statuses.has('error') ? 'error' : states.length === 0 ? 'other-shard' : 'pass';
      }
      const verdict = Object.values(checks).some((status) => status === 'fail' || status === 'error') ? 'fail' : 'pass';
      return { id: combination.id, verdict, answers: combination.answers, argv: combination.argv, checks, failures: [...new Set(failureRefs)].sort((a, b) => a - b) };
    });
    for (const report of invalidReports) {
      if (report.verdict === 'fail') failures.push({ check: 'cli-rejects', status: 'fail', files: [], findings: report.problems.map((problem) => ({ message: problem })), combinations: [report.id] });
    }

    const checkReports: CheckReport[] = selectedChecks.map((entry) => {
      const states = [...(unitsByCheck.get(entry.check.name) as Map<string, UnitState>).values()];
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
        combinations: keysOf.filter((keys) => keys.has(entry.check.name)).length,
      };
    });
    const hits = checkReports.reduce((sum, report) => sum + report.hits, 0);
    const misses = checkReports.reduce((sum, report) => sum + report.misses, 0);
    const verdict = failures.length > 0 ? 'fail' : 'pass';
    const report: Report = {
      verdict,
      startedAt: startedAt.toISOString(),
      wallMs: performance.now() - started,
      phases: { renderMs, cliMs, checksMs },
      shard: `${shard.index}/${shard.count}`,
      filters: [...(options.filters ?? [])],
      jobs,
      cacheDir,
      counts: {
        validCombinations: space.valid.length,
        invalidCombinations: space.invalid.length,
        selectedValid: valid.length,
        selectedInvalid: invalid.length,
        invalidInShard: invalidInShard.length,
        distinctFiles: store.size,
        renderedFiles,
      },
      cache: { hits, misses, hitRatio: hits + misses === 0 ? 1 : hits / (hits + misses) },
      checks: checkReports,
      failures,
      invalid: invalidReports,
      combinations,
    };
    return report;
  } finally {
    await services.stopAll();
    await removeScratch();
  }
}
